//! The shutdown signal of a long-running command: Ctrl-C or SIGTERM, and a second one to
//! give up on a graceful stop.

use tokio_util::sync::CancellationToken;

/// The exit code of a process that a second signal stopped (128 + SIGINT, as shells
/// report it).
const INTERRUPTED: i32 = 130;

/// A token cancelled on the first Ctrl-C or SIGTERM; every part of a command that must
/// stop waits on a clone of it. A second signal exits at once: a person pressing Ctrl-C
/// again does not want to wait for the graceful stop. (Anything started with
/// `orders_nisshi` dies with this process: its watchdog sees the process go.)
pub(crate) fn on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        cancel.cancel();
        wait_for_signal().await;
        eprintln!("stopping at once: a second signal came before the graceful stop ended");
        std::process::exit(INTERRUPTED);
    });
    token
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
