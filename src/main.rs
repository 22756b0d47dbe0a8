#[tokio::main]
async fn main() -> std::process::ExitCode {
    promptedcode::server::run().await
}
