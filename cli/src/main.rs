//! `orders`: see the `orders_cli` library for everything it does.

fn main() -> std::process::ExitCode {
    orders_cli::main()
}
