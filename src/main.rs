use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => promptedcode::server::run().await,
        Some("bank-stats") => promptedcode::server::print_bank_stats(),
        Some("seed") => promptedcode::seed::run(std::env::args().skip(2)).await,
        Some(other) => {
            eprintln!("unknown command {other:?}; usage: promptedcode [serve | bank-stats | seed]");
            ExitCode::from(2)
        }
    }
}
