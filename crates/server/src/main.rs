//! `silkstream`: parse the command line and hand it to the library.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let (cli, matches) = silkstream_server::cli::parse();
    match silkstream_server::cli::main(cli, &matches).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
