//! The tests' local OpenAI-compatible server as a program, for the end-to-end tests and the
//! proxy benchmark: `cargo run --features ssr --example mock_llm -- 127.0.0.1:3900`.
//! The request's `model` picks the behaviour (see `tests/it/common/upstream.rs`); `GET /stats`
//! reports hits and streams cut short by their client.
#[path = "../tests/it/common/upstream.rs"]
#[allow(dead_code)]
mod upstream;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3900".to_owned());
    let (bound, _upstream) = upstream::spawn_on(&addr).await;
    println!("mock LLM listening on http://{bound}/v1");
    let _ = tokio::signal::ctrl_c().await;
}
