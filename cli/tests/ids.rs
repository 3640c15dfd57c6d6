//! Correlation ids are any 1 to 128 visible ASCII characters, so some of them read as URL
//! syntax (`ext/123`, `q?x=1`, `a#b`, `%41`) or as a route (`lookup`), or as a path's
//! dots. Each must reach every service as itself through `submit --wait` (which asks the
//! order-, inventory- and payment-service for it) and `trace`: found when it is there,
//! and never another order in its place.

use crate::helpers::*;
use serde_json::Value;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_look_like_url_syntax_are_waited_for_and_traced_as_themselves() {
    let topics = Topics::create(2).await;
    let gateway = spawn_gateway(&topics).await;
    let service = spawn_consumer(&topics).await;
    let inventory = spawn_inventory(&topics, &[("SKU-1", 1_000)]).await;
    let payment = spawn_payment(&topics, orders_payment::SimulatedProvider::default()).await;
    let gateway_url = gateway.url("");
    let admin_url = service.url("");
    let (inventory_url, payment_url) = (inventory.url(""), payment.url(""));

    // Orders that an id cut short at its `?`, `#` or `/` would find instead of its own.
    for decoy in ["q", "a", "ext", "A"] {
        assert_eq!(
            post_order(&gateway.url("/orders"), decoy).await.status(),
            202
        );
        persisted(&service, decoy).await;
    }

    for id in [
        "ext/123",
        "q?x=1",
        "a#b",
        "%41",
        "lookup",
        ".",
        "..",
        "a/../A",
        "semi;colon+plus",
    ] {
        let output = run_orders(&args(&[
            "submit",
            "--sku",
            "SKU-1:1",
            "--correlation-id",
            id,
            "--gateway",
            &gateway_url,
            "--admin",
            &admin_url,
            "--inventory",
            &inventory_url,
            "--payment",
            &payment_url,
            "--wait",
            "--wait-timeout",
            "20s",
            "--json",
        ]))
        .await;
        assert!(output.status.success(), "{id}: {}", stderr(&output));
        let answer: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        assert_eq!(answer["correlationId"], id, "{answer}");
        assert_eq!(answer["order"]["correlationId"], id, "{id}: {answer}");
        assert_eq!(answer["order"]["status"], "confirmed", "{id}: {answer}");
        assert_eq!(answer["reservation"]["correlationId"], id, "{id}: {answer}");
        assert_eq!(answer["payment"]["correlationId"], id, "{id}: {answer}");

        let mut trace = args(&[
            "trace",
            id,
            "--admin",
            &admin_url,
            "--inventory",
            &inventory_url,
            "--payment",
            &payment_url,
            "--json",
        ]);
        trace.extend(topics.cli_args());
        let output = run_orders(&trace).await;
        assert_eq!(output.status.code(), Some(0), "{id}: {}", stderr(&output));
        let document: Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(document["order"]["correlationId"], id, "{document}");
        assert_eq!(document["record"]["key"], id, "{document}");
    }
}
