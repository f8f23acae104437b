//! `silkstream`: parse the command line and hand it to the library.

/// mimalloc returns the pages it frees to the system within milliseconds; with glibc's malloc
/// the memory of a flood of connections stayed resident after the flood had passed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
