//! `orders`: see the `orders_cli` library for everything it does.

/// mimalloc: the gateway allocates a little per request on several threads, where the
/// system allocator's locks showed up in profiles (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    orders_cli::main()
}
