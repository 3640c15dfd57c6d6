# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_orders_global_optspecs
    string join \n log-format= h/help V/version
end

function __fish_orders_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_orders_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_orders_using_subcommand
    set -l cmd (__fish_orders_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c orders -n "__fish_orders_needs_command" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_needs_command" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_needs_command" -f -a "up" -d 'The whole local stack in one process: broker (nisshi, installed if missing), topics, gateway, order-service, inventory-service, payment-service and notification-service on SQLite. Ctrl-C stops everything'
complete -c orders -n "__fish_orders_needs_command" -f -a "serve-gateway" -d 'Run the HTTP API gateway: POST /orders publishes order_created'
complete -c orders -n "__fish_orders_needs_command" -f -a "serve-consumer" -d 'Run the order-service: keep every order from pending to confirmed or rejected, and announce its final state'
complete -c orders -n "__fish_orders_needs_command" -f -a "serve-inventory" -d 'Run the inventory-service: reserve every item of an order at once or none, release the reservation when its payment fails'
complete -c orders -n "__fish_orders_needs_command" -f -a "serve-payment" -d 'Run the payment-service: charge each reserved order once (simulated provider)'
complete -c orders -n "__fish_orders_needs_command" -f -a "serve-notification" -d 'Run the notification-service: tell each order\'s outcome once per channel (webhook, email, log), with retries and dead letters'
complete -c orders -n "__fish_orders_needs_command" -f -a "customers" -d 'Show the notification-service\'s customer directory, or set an entry (`orders customers set ID --email ADDRESS [--webhook]`)'
complete -c orders -n "__fish_orders_needs_command" -f -a "notifications" -d 'The notifications the notification-service recorded: what was sent, what waits, what failed or was skipped and why'
complete -c orders -n "__fish_orders_needs_command" -f -a "stock" -d 'Show the stock the inventory-service holds, or set it (`orders stock set SKU-1=100 SKU-2=5`)'
complete -c orders -n "__fish_orders_needs_command" -f -a "submit" -d 'Send one order through the gateway and print where it landed'
complete -c orders -n "__fish_orders_needs_command" -f -a "tail" -d 'Follow the order_created topic live, without joining the service\'s group'
complete -c orders -n "__fish_orders_needs_command" -f -a "trace" -d 'Follow one order through the pipeline: its record on the topic (partition, offset, timestamp, headers such as traceparent), its state in the order-service, and the time between the steps. Exits 0 when it is persisted, 3 when it is on the topic but not persisted (yet) or the order-service cannot be asked, 1 when it is found nowhere'
complete -c orders -n "__fish_orders_needs_command" -f -a "bench" -d 'Drive load through the gateway and report throughput and latency'
complete -c orders -n "__fish_orders_needs_command" -f -a "dash" -d 'The whole pipeline live in the terminal: services, lag per partition, gateway latency, dead letters and the newest events (q quits, p pauses, tab moves between panes, / filters events by correlation id, enter traces one). --once prints one snapshot'
complete -c orders -n "__fish_orders_needs_command" -f -a "dlq" -d 'The dead-letter topics: follow one, or replay its records once their cause is fixed (--topic notification-dlt for the notification-service\'s, order_created-dlt by default)'
complete -c orders -n "__fish_orders_needs_command" -f -a "topics" -d 'Manage the topics the pipeline uses'
complete -c orders -n "__fish_orders_needs_command" -f -a "lag" -d 'Show how far the order-service\'s consumer group is behind, per partition, and which member owns each partition'
complete -c orders -n "__fish_orders_needs_command" -f -a "db" -d 'Manage the orders database'
complete -c orders -n "__fish_orders_needs_command" -f -a "schema" -d 'Register or check the order_created JSON Schema in a Confluent-compatible Schema Registry'
complete -c orders -n "__fish_orders_needs_command" -f -a "healthcheck" -d 'Exit 0 when URL answers 2xx: the container health check (no shell or curl needed)'
complete -c orders -n "__fish_orders_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c orders -n "__fish_orders_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand up" -l data-dir -d 'Directory for the broker\'s log, its durable storage and the orders database' -r -F
complete -c orders -n "__fish_orders_using_subcommand up" -l listen -d 'Gateway address' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l admin-listen -d 'Order-service admin address' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l inventory-listen -d 'Inventory-service admin address' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l payment-listen -d 'Payment-service admin address' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l notification-listen -d 'Notification-service admin address' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l stock -d 'Stock to set at start, as SKU=UNITS (repeatable, or comma-separated). Without it, an inventory that has no stock yet starts with 100000 units of each of SKU-1 to SKU-500 (the SKUs `orders bench` orders); one that has stock keeps it' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l partitions -d 'Partitions of the topics, when they are created' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand up" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand up" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand up" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand up" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand up" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand up" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l publish-timeout -d 'How long the broker may take to acknowledge an event before the client gets 503' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l request-timeout -d 'Longest a request may take in all; must exceed --publish-timeout' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l group -d 'The consumer group the order-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l dead-letter-topic -d 'Set invalid records aside in the dead-letter topic [env: KAFKA_TOPIC_ORDER_CREATED_DLT] [default: <topic>-dlt]. With --no-dead-letter they are only logged' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l max-batch -d 'Most events persisted in one database transaction' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l inventory-group -d 'The consumer group the inventory-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l payment-group -d 'The consumer group the payment-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l decline-over -d 'Decline every charge above this amount' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l decline-rate -d 'Decline this fraction (0 to 1) of the other charges, chosen by a hash of the correlation id and --seed, so that a redelivered order gets the same answer' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l seed -d 'Seed of the simulated provider\'s decisions' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l latency -d 'How long each charge takes (the simulated provider\'s answer time)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l notification-group -d 'The consumer group the notification-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l webhook-url -d 'Send every outcome as a signed JSON POST to this URL (http or https)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l webhook-secret -d 'Sign webhook requests with HMAC-SHA256 under this secret (the Orders-Signature header; docs/operations.md shows how a receiver checks it)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l smtp-url -d 'Email each outcome to the customer\'s address in the directory through this SMTP relay: smtp://HOST:PORT, smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST:465' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l mail-from -d 'The sender of notification emails, e.g. "Shop <orders@shop.example>" (needed with --smtp-url)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l delivery-timeout -d 'Longest one delivery attempt may take' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l delivery-attempts -d 'Attempts before a notification is failed and dead-lettered' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l delivery-concurrency -d 'Deliveries in flight at once' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l retry-initial -d 'Wait before the second attempt; it doubles with each attempt (half of it random)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l retry-max -d 'Longest wait between two attempts (a Retry-After up to an hour is honoured)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l drain-delay -d 'After SIGTERM, how long /readyz answers 503 before the listener closes (time for a load balancer to stop sending)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l shutdown-timeout -d 'Longest wait for in-flight work once shutdown begins' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l admin-token -d 'Require this bearer token for the admin data (/orders…, /stats); /healthz, /readyz and /metrics stay open. Prefer --admin-token-file' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l admin-token-file -d 'A file holding the admin token (wins over --admin-token)' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l api-keys-file -d 'Require an API key for POST /orders (`x-api-key: KEY` or `Authorization: Bearer KEY`): a file with one key per line, each the key itself or `sha256:` and its hex SHA-256 (`printf %s KEY | sha256sum`). Probes, /metrics and /openapi.json stay open' -r -F
complete -c orders -n "__fish_orders_using_subcommand up" -l rate-limit -d 'At most this many requests per client (its API key, or its address without keys), as N/s or N/m; past it the client gets 429 with Retry-After' -r
complete -c orders -n "__fish_orders_using_subcommand up" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand up" -l dash -d 'Show the live dashboard (`orders dash`) of the stack it started, on this terminal; quitting it (q, Ctrl-C) stops everything'
complete -c orders -n "__fish_orders_using_subcommand up" -l no-dead-letter -d 'Log and skip invalid records instead of dead-lettering them'
complete -c orders -n "__fish_orders_using_subcommand up" -l webhook-opt-in -d 'Call the webhook only for customers the directory says opted in (`orders customers set ID --webhook`); without it, for every order'
complete -c orders -n "__fish_orders_using_subcommand up" -l log-notifications -d 'Also log every notification when a webhook or email is configured (the log channel is on by itself when neither is)'
complete -c orders -n "__fish_orders_using_subcommand up" -l admin-public-without-token -d 'Serve the admin HTTP on a non-loopback address without a token: anyone who can reach it reads every order'
complete -c orders -n "__fish_orders_using_subcommand up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand up" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l listen -d 'Address to listen on' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l publish-timeout -d 'How long the broker may take to acknowledge an event before the client gets 503' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l request-timeout -d 'Longest a request may take in all; must exceed --publish-timeout' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l drain-delay -d 'After SIGTERM, how long /readyz answers 503 before the listener closes (time for a load balancer to stop sending)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l shutdown-timeout -d 'Longest wait for in-flight work once shutdown begins' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l api-keys-file -d 'Require an API key for POST /orders (`x-api-key: KEY` or `Authorization: Bearer KEY`): a file with one key per line, each the key itself or `sha256:` and its hex SHA-256 (`printf %s KEY | sha256sum`). Probes, /metrics and /openapi.json stay open' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l rate-limit -d 'At most this many requests per client (its API key, or its address without keys), as N/s or N/m; past it the client gets 429 with Retry-After' -r
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l tls-cert -d 'Serve HTTPS with this certificate chain (PEM, leaf first)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l tls-key -d 'The certificate\'s private key (PEM)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand serve-gateway" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l database-url -d 'Where orders are kept: sqlite://PATH or postgres://USER@HOST/DB (TLS as libpq: ?sslmode=verify-full&sslrootcert=CA.pem)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l admin-listen -d 'Address of the admin HTTP (health, readiness, GET /orders/{correlationId}) [default: 0.0.0.0:3001 with an admin token, 127.0.0.1:3001 without]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l group -d 'The consumer group the order-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l dead-letter-topic -d 'Set invalid records aside in the dead-letter topic [env: KAFKA_TOPIC_ORDER_CREATED_DLT] [default: <topic>-dlt]. With --no-dead-letter they are only logged' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l max-batch -d 'Most events persisted in one database transaction' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l drain-delay -d 'After SIGTERM, how long /readyz answers 503 before the listener closes (time for a load balancer to stop sending)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l shutdown-timeout -d 'Longest wait for in-flight work once shutdown begins' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l admin-token -d 'Require this bearer token for the admin data (/orders…, /stats); /healthz, /readyz and /metrics stay open. Prefer --admin-token-file' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l admin-token-file -d 'A file holding the admin token (wins over --admin-token)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l tls-cert -d 'Serve HTTPS with this certificate chain (PEM, leaf first)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l tls-key -d 'The certificate\'s private key (PEM)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l no-dead-letter -d 'Log and skip invalid records instead of dead-lettering them'
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -l admin-public-without-token -d 'Serve the admin HTTP on a non-loopback address without a token: anyone who can reach it reads every order'
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand serve-consumer" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l database-url -d 'Where the stock and reservations are kept: sqlite://PATH or postgres://USER@HOST/DB (a database of the inventory-service\'s own)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l admin-listen -d 'Address of the admin HTTP (health, readiness, /stock, /reservations/{id}) [default: 0.0.0.0:3002 with an admin token, 127.0.0.1:3002 without]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l inventory-group -d 'The consumer group the inventory-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l max-batch -d 'Most records applied in one database transaction' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l drain-delay -d 'After SIGTERM, how long /readyz answers 503 before the listener closes (time for a load balancer to stop sending)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l shutdown-timeout -d 'Longest wait for in-flight work once shutdown begins' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l admin-token -d 'Require this bearer token for the admin data (/orders…, /stats); /healthz, /readyz and /metrics stay open. Prefer --admin-token-file' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l admin-token-file -d 'A file holding the admin token (wins over --admin-token)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l tls-cert -d 'Serve HTTPS with this certificate chain (PEM, leaf first)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l tls-key -d 'The certificate\'s private key (PEM)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l no-dead-letter -d 'Log and skip records the service cannot use instead of dead-lettering them'
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -l admin-public-without-token -d 'Serve the admin HTTP on a non-loopback address without a token: anyone who can reach it reads every order'
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand serve-inventory" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l database-url -d 'Where payments are kept: sqlite://PATH or postgres://USER@HOST/DB (a database of the payment-service\'s own)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l admin-listen -d 'Address of the admin HTTP (health, readiness, /payments/{id}) [default: 0.0.0.0:3003 with an admin token, 127.0.0.1:3003 without]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l payment-group -d 'The consumer group the payment-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l decline-over -d 'Decline every charge above this amount' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l decline-rate -d 'Decline this fraction (0 to 1) of the other charges, chosen by a hash of the correlation id and --seed, so that a redelivered order gets the same answer' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l seed -d 'Seed of the simulated provider\'s decisions' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l latency -d 'How long each charge takes (the simulated provider\'s answer time)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l max-batch -d 'Most records applied in one database transaction' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l drain-delay -d 'After SIGTERM, how long /readyz answers 503 before the listener closes (time for a load balancer to stop sending)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l shutdown-timeout -d 'Longest wait for in-flight work once shutdown begins' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l admin-token -d 'Require this bearer token for the admin data (/orders…, /stats); /healthz, /readyz and /metrics stay open. Prefer --admin-token-file' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l admin-token-file -d 'A file holding the admin token (wins over --admin-token)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l tls-cert -d 'Serve HTTPS with this certificate chain (PEM, leaf first)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l tls-key -d 'The certificate\'s private key (PEM)' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l no-dead-letter -d 'Log and skip records the service cannot use instead of dead-lettering them'
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -l admin-public-without-token -d 'Serve the admin HTTP on a non-loopback address without a token: anyone who can reach it reads every order'
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand serve-payment" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l database-url -d 'Where notifications and the customer directory are kept: sqlite://PATH or postgres://USER@HOST/DB (a database of the notification-service\'s own)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l admin-listen -d 'Address of the admin HTTP (health, readiness, /notifications, /customers)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l notification-group -d 'The consumer group the notification-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l webhook-url -d 'Send every outcome as a signed JSON POST to this URL (http or https)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l webhook-secret -d 'Sign webhook requests with HMAC-SHA256 under this secret (the Orders-Signature header; docs/operations.md shows how a receiver checks it)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l smtp-url -d 'Email each outcome to the customer\'s address in the directory through this SMTP relay: smtp://HOST:PORT, smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or smtps://USER:PASSWORD@HOST:465' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l mail-from -d 'The sender of notification emails, e.g. "Shop <orders@shop.example>" (needed with --smtp-url)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l delivery-timeout -d 'Longest one delivery attempt may take' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l delivery-attempts -d 'Attempts before a notification is failed and dead-lettered' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l delivery-concurrency -d 'Deliveries in flight at once' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l retry-initial -d 'Wait before the second attempt; it doubles with each attempt (half of it random)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l retry-max -d 'Longest wait between two attempts (a Retry-After up to an hour is honoured)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l max-batch -d 'Most records applied in one database transaction' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l drain-delay -d 'After SIGTERM, how long /readyz answers 503 before the listener closes (time for a load balancer to stop sending)' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l shutdown-timeout -d 'Longest wait for in-flight work once shutdown begins' -r
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l webhook-opt-in -d 'Call the webhook only for customers the directory says opted in (`orders customers set ID --webhook`); without it, for every order'
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l log-notifications -d 'Also log every notification when a webhook or email is configured (the log channel is on by itself when neither is)'
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -l no-dead-letter -d 'Log and skip records the service cannot use instead of dead-lettering them'
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand serve-notification" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -l notification -d 'The notification-service admin\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -l timeout -d 'How long the notification-service may take to answer' -r
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -l json -d 'One JSON document instead of the table'
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -f -a "set" -d 'Set a customer\'s entry, all of it: without --email the customer has no address (their email notifications are skipped, with that reason)'
complete -c orders -n "__fish_orders_using_subcommand customers; and not __fish_seen_subcommand_from set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -l email -d 'Where the customer\'s email notifications go' -r
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -l notification -d 'The notification-service admin\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -l timeout -d 'How long the notification-service may take to answer' -r
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -l webhook -d 'The customer opts in to the webhook (what serve-notification --webhook-opt-in asks for)'
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -l json -d 'One JSON document instead of the table'
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set a customer\'s entry, all of it: without --email the customer has no address (their email notifications are skipped, with that reason)'
complete -c orders -n "__fish_orders_using_subcommand customers; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand notifications" -l correlation-id -d 'Only the notifications of this order' -r
complete -c orders -n "__fish_orders_using_subcommand notifications" -l state -d 'Only notifications in this state' -r
complete -c orders -n "__fish_orders_using_subcommand notifications" -l limit -d 'The most notifications to show' -r
complete -c orders -n "__fish_orders_using_subcommand notifications" -l notification -d 'The notification-service admin\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand notifications" -l timeout -d 'How long the notification-service may take to answer' -r
complete -c orders -n "__fish_orders_using_subcommand notifications" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand notifications" -l json -d 'One JSON document (the admin HTTP\'s answer) instead of the table'
complete -c orders -n "__fish_orders_using_subcommand notifications" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand notifications" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -l inventory -d 'The inventory-service admin\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -l timeout -d 'How long the inventory-service may take to answer' -r
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -l json -d 'One JSON document instead of the table'
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -f -a "set" -d 'Set the units available of each SKU (SKUs the inventory does not know are added; units held by reservations in flight are not touched)'
complete -c orders -n "__fish_orders_using_subcommand stock; and not __fish_seen_subcommand_from set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from set" -l inventory -d 'The inventory-service admin\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from set" -l timeout -d 'How long the inventory-service may take to answer' -r
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from set" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from set" -l json -d 'One JSON document instead of the table'
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set the units available of each SKU (SKUs the inventory does not know are added; units held by reservations in flight are not touched)'
complete -c orders -n "__fish_orders_using_subcommand stock; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand submit" -l customer -d 'The customer\'s id [default: a new random UUID]' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l sku -d 'An item as SKU:QUANTITY (repeat for more items), e.g. --sku SKU-1:2' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l total -d 'The order\'s total [default: the number of units, i.e. 1 per unit]' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l correlation-id -d 'Send this x-correlation-id (retrying with the same id never makes two orders)' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l gateway -d 'The gateway\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l admin -d 'The order-service admin\'s base URL (for --wait)' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l inventory -d 'The inventory-service admin\'s base URL (for --wait\'s reservation step)' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l payment -d 'The payment-service admin\'s base URL (for --wait\'s payment step)' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l wait-timeout -d 'How long --wait waits' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l timeout -d 'How long the gateway may take to answer' -r
complete -c orders -n "__fish_orders_using_subcommand submit" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand submit" -l json -d 'Print the gateway\'s JSON answer (with --wait, plus the final order as "order", its "reservation" and its "payment" when the services have them)'
complete -c orders -n "__fish_orders_using_subcommand submit" -l wait -d 'Wait until the order reaches its final state (confirmed or rejected) and show each step with its time; exits 3 when it is still pending at --wait-timeout'
complete -c orders -n "__fish_orders_using_subcommand submit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand submit" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand tail" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand tail" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand tail" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand tail" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand tail" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand tail" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l from -d 'Where to start in each partition' -r -f -a "beginning\t'Everything still on the topic'
end\t'Only events published from now on'"
complete -c orders -n "__fish_orders_using_subcommand tail" -s n -l count -d 'Exit after this many events (those that match --correlation-id, when given)' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l correlation-id -d 'Only events with this correlation id (the value\'s correlationId, or the record key when the value has none)' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l timeout -d 'How long to wait for the cluster\'s metadata before giving up' -r
complete -c orders -n "__fish_orders_using_subcommand tail" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand tail" -l json -d 'One JSON object per line: key, partition, offset, timestamp, headers, value'
complete -c orders -n "__fish_orders_using_subcommand tail" -l all -d 'Every event topic of the pipeline at once, interleaved as they come, each line with its event type (instead of the one topic of --topic)'
complete -c orders -n "__fish_orders_using_subcommand tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand tail" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand trace" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand trace" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand trace" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand trace" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand trace" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand trace" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l admin -d 'The order-service admin\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l inventory -d 'The inventory-service admin\'s base URL (reservations, stock)' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l payment -d 'The payment-service admin\'s base URL (payments)' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l notification -d 'The notification-service admin\'s base URL (what each customer was told)' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l scan-timeout -d 'How long to read the topic for the order\'s key when the order-service does not have it (the whole topic, from the beginning of every partition)' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l timeout -d 'How long the order-service and the broker may take to answer' -r
complete -c orders -n "__fish_orders_using_subcommand trace" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand trace" -l json -d 'Print one JSON document instead of lines'
complete -c orders -n "__fish_orders_using_subcommand trace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand trace" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand bench" -s n -l requests -d 'Orders to send (after the warm-up)' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l duration -d 'Send for this long instead of a fixed number (e.g. 30s)' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -s c -l concurrency -d 'Requests in flight at once' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l rate -d 'Open loop: start this many orders per second whatever the answers take; latency counts from each order\'s scheduled time' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l warmup -d 'Orders sent first and left out of the figures' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l gateway -d 'The gateway\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l seed -d 'Seed of the random (valid) orders; the same seed sends the same orders' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l admin -d 'The order-service admin\'s base URL (for --e2e)' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l e2e-timeout -d 'How long --e2e waits for the backlog to be persisted (and, when the saga runs, for every order to be confirmed or rejected)' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l max-p99 -d 'Fail when the request p99 exceeds this many milliseconds' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l max-error-rate -d 'Fail when more than this fraction of requests fail (0 to 1)' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l timeout -d 'Longest one request may take before it counts as a transport error' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l report -d 'Also write the run as one self-contained HTML page: throughput and latency over time, the latency distribution, with --e2e the persisted latency and backlog over time, errors by kind, parameters and summary (and the --baseline comparison)' -r -F
complete -c orders -n "__fish_orders_using_subcommand bench" -l baseline -d 'Compare with an earlier `orders bench --json` result: print (and chart) the difference of throughput and latency percentiles' -r -F
complete -c orders -n "__fish_orders_using_subcommand bench" -l max-regression -d 'With --baseline: fail when throughput, request p50/p90/p99 or (both runs with --e2e) accepted-to-persisted p50/p99 is worse than the baseline\'s by more than this many percent' -r
complete -c orders -n "__fish_orders_using_subcommand bench" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand bench" -l e2e -d 'After the load, wait until every accepted order is persisted and account for it'
complete -c orders -n "__fish_orders_using_subcommand bench" -l json -d 'Print one JSON summary on stdout instead of tables'
complete -c orders -n "__fish_orders_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand bench" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand dash" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand dash" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand dash" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand dash" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand dash" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand dash" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l gateway -d 'The gateway\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l admin -d 'The order-service admin\'s base URL' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l inventory -d 'The inventory-service admin\'s base URL (reservations, stock)' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l payment -d 'The payment-service admin\'s base URL (payments)' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l notification -d 'The notification-service admin\'s base URL (what each customer was told)' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l group -d 'The order-service\'s consumer group, then any other group whose lag on order_created is shown (repeatable: an audit consumer, a service of your own)' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l inventory-group -d 'The consumer group the inventory-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l payment-group -d 'The consumer group the payment-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l notification-group -d 'The consumer group the notification-service instances share' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l interval -d 'How often everything is read again' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l timeout -d 'How long one read may take before what it reads counts as down for that round' -r
complete -c orders -n "__fish_orders_using_subcommand dash" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand dash" -l once -d 'Print one snapshot and exit (two readings --interval apart, for the rates)'
complete -c orders -n "__fish_orders_using_subcommand dash" -l json -d 'With --once: the snapshot as one JSON document'
complete -c orders -n "__fish_orders_using_subcommand dash" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand dash" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand dlq; and not __fish_seen_subcommand_from tail replay help" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand dlq; and not __fish_seen_subcommand_from tail replay help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand dlq; and not __fish_seen_subcommand_from tail replay help" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand dlq; and not __fish_seen_subcommand_from tail replay help" -f -a "tail" -d 'Follow a dead-letter topic, with each record\'s error (same flags as `tail`; `--topic notification-dlt` reads the notification-service\'s, `--all` every service\'s at once)'
complete -c orders -n "__fish_orders_using_subcommand dlq; and not __fish_seen_subcommand_from tail replay help" -f -a "replay" -d 'Send dead-lettered records back to the topic they came from (`--topic` picks the dead-letter topic as for `tail`). A failed notification replayed is sent again'
complete -c orders -n "__fish_orders_using_subcommand dlq; and not __fish_seen_subcommand_from tail replay help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l from -d 'Where to start in each partition' -r -f -a "beginning\t'Everything still on the topic'
end\t'Only events published from now on'"
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -s n -l count -d 'Exit after this many events (those that match --correlation-id, when given)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l correlation-id -d 'Only events with this correlation id (the value\'s correlationId, or the record key when the value has none)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l timeout -d 'How long to wait for the cluster\'s metadata before giving up' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l json -d 'One JSON object per line: key, partition, offset, timestamp, headers, value'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -l all -d 'Every event topic of the pipeline at once, interleaved as they come, each line with its event type (instead of the one topic of --topic)'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from tail" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l correlation-id -d 'Replay the records of this correlation id (the value\'s correlationId, or the record key when the value has none)' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l replay-group -d 'The consumer group under which `--all` remembers how far it got on the dead-letter topic. Nothing ever joins it' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l timeout -d 'How long to wait for the cluster' -r
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l all -d 'Replay every record not replayed before, and remember how far this got'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l include-replayed -d 'Also replay what was replayed before: read the dead-letter topic from its beginning rather than from where the last `--all` stopped, and send records that came back from an earlier replay'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -l dry-run -d 'Show what would be replayed, and send nothing (and remember nothing)'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from replay" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "tail" -d 'Follow a dead-letter topic, with each record\'s error (same flags as `tail`; `--topic notification-dlt` reads the notification-service\'s, `--all` every service\'s at once)'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Send dead-lettered records back to the topic they came from (`--topic` picks the dead-letter topic as for `tail`). A failed notification replayed is sent again'
complete -c orders -n "__fish_orders_using_subcommand dlq; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand topics; and not __fish_seen_subcommand_from create help" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand topics; and not __fish_seen_subcommand_from create help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand topics; and not __fish_seen_subcommand_from create help" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand topics; and not __fish_seen_subcommand_from create help" -f -a "create" -d 'Create topics (by default every topic of the pipeline: one per event, one dead-letter topic per service). A topic that already exists is reported, and is an error only when its partition count is not the one asked for'
complete -c orders -n "__fish_orders_using_subcommand topics; and not __fish_seen_subcommand_from create help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l partitions -d 'Partitions of each topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l replication-factor -d 'Replicas of each partition (1 on a single broker)' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l min-insync-replicas -d 'min.insync.replicas of each topic: how many replicas must have a record before a producer\'s acks=all write is acknowledged [default: the replication factor - 1, at least 1]' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l timeout -d 'How long to wait for the cluster' -r
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create topics (by default every topic of the pipeline: one per event, one dead-letter topic per service). A topic that already exists is reported, and is an error only when its partition count is not the one asked for'
complete -c orders -n "__fish_orders_using_subcommand topics; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand lag" -l brokers -d 'Comma-separated bootstrap servers [env: KAFKA_BROKERS, or KAFKA_BROKER] [default: localhost:9094]' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -s X -l kafka-option -d 'A librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable; the environment variable takes a list separated by semicolons, since librdkafka values such as debug=broker,protocol contain commas)' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-inventory-dlt -d 'The inventory-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-payment-dlt -d 'The payment-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l topic-notification-dlt -d 'The notification-service\'s dead-letter topic' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l security-protocol -d 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL [default: SASL_SSL when SASL credentials are given, SSL when only TLS files are, else PLAINTEXT]' -r -f -a "PLAINTEXT\t'No TLS, no authentication'
SSL\t'TLS'
SASL_PLAINTEXT\t'SASL without TLS (the password crosses the network in the clear with PLAIN)'
SASL_SSL\t'SASL over TLS: what managed clusters ask for'"
complete -c orders -n "__fish_orders_using_subcommand lag" -l sasl-mechanism -d 'PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (required with a SASL username)' -r -f -a "PLAIN\t''
SCRAM-SHA-256\t''
SCRAM-SHA-512\t''"
complete -c orders -n "__fish_orders_using_subcommand lag" -l sasl-username -d 'The SASL user name' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l sasl-password -d 'The SASL password. Prefer --sasl-password-file: a value on the command line is visible to every user of the machine' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l sasl-password-file -d 'A file holding the SASL password (wins over --sasl-password)' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l ssl-ca-location -d 'The CA certificate(s) (PEM) that issued the brokers\' certificates [default: the system\'s CA certificates]' -r -F
complete -c orders -n "__fish_orders_using_subcommand lag" -l ssl-certificate-location -d 'This client\'s certificate (PEM), for brokers that require mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand lag" -l ssl-key-location -d 'This client\'s private key (PEM), for mutual TLS' -r -F
complete -c orders -n "__fish_orders_using_subcommand lag" -l ssl-key-password -d 'The password of an encrypted private key' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l ssl-key-password-file -d 'A file holding the private key\'s password (wins over --ssl-key-password)' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l group -d 'The consumer group to describe' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l timeout -d 'How long to wait for each answer from the cluster' -r
complete -c orders -n "__fish_orders_using_subcommand lag" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand lag" -l json -d 'Print one JSON document instead of the table: group, state, members, and per partition the committed offset (null when none), log start, log end, lag and owner'
complete -c orders -n "__fish_orders_using_subcommand lag" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand lag" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand db; and not __fish_seen_subcommand_from migrate help" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand db; and not __fish_seen_subcommand_from migrate help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand db; and not __fish_seen_subcommand_from migrate help" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand db; and not __fish_seen_subcommand_from migrate help" -f -a "migrate" -d 'Apply the migrations the database lacks; print them and the schema version'
complete -c orders -n "__fish_orders_using_subcommand db; and not __fish_seen_subcommand_from migrate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand db; and __fish_seen_subcommand_from migrate" -l database-url -d 'The orders database: sqlite://PATH or postgres://USER@HOST/DB' -r
complete -c orders -n "__fish_orders_using_subcommand db; and __fish_seen_subcommand_from migrate" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand db; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand db; and __fish_seen_subcommand_from migrate" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "migrate" -d 'Apply the migrations the database lacks; print them and the schema version'
complete -c orders -n "__fish_orders_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand schema; and not __fish_seen_subcommand_from register check show help" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand schema; and not __fish_seen_subcommand_from register check show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand schema; and not __fish_seen_subcommand_from register check show help" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand schema; and not __fish_seen_subcommand_from register check show help" -f -a "register" -d 'Register each event\'s JSON Schema under <its topic>-value in a Confluent-compatible Schema Registry and print its id (the same id when it is already registered)'
complete -c orders -n "__fish_orders_using_subcommand schema; and not __fish_seen_subcommand_from register check show help" -f -a "check" -d 'Compare each subject\'s latest version with this binary\'s schema: exit 0 when every one is the same, 1 when one differs or is missing, or the registry cannot be asked'
complete -c orders -n "__fish_orders_using_subcommand schema; and not __fish_seen_subcommand_from register check show help" -f -a "show" -d 'Print this binary\'s JSON Schema of one event'
complete -c orders -n "__fish_orders_using_subcommand schema; and not __fish_seen_subcommand_from register check show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l registry -d 'Base URL of the Schema Registry (credentials, when it needs them, as https://KEY:SECRET@host)' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l event -d 'Only this event\'s schema (repeatable) [default: every event of the saga]' -r -f -a "order_created\t''
inventory_reserved\t''
inventory_rejected\t''
inventory_released\t''
payment_completed\t''
payment_failed\t''
order_confirmed\t''
order_rejected\t''"
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l subject -d 'The subject, for one --event [default: <its topic>-value]' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l timeout -d 'Longest wait for each answer of the registry' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from register" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l registry -d 'Base URL of the Schema Registry (credentials, when it needs them, as https://KEY:SECRET@host)' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l event -d 'Only this event\'s schema (repeatable) [default: every event of the saga]' -r -f -a "order_created\t''
inventory_reserved\t''
inventory_rejected\t''
inventory_released\t''
payment_completed\t''
payment_failed\t''
order_confirmed\t''
order_rejected\t''"
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic -d 'The order_created topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic-inventory-reserved -d 'The inventory_reserved topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic-inventory-rejected -d 'The inventory_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic-inventory-released -d 'The inventory_released topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic-payment-completed -d 'The payment_completed topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic-payment-failed -d 'The payment_failed topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic-order-confirmed -d 'The order_confirmed topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l topic-order-rejected -d 'The order_rejected topic' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l subject -d 'The subject, for one --event [default: <its topic>-value]' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l timeout -d 'Longest wait for each answer of the registry' -r
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from show" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "register" -d 'Register each event\'s JSON Schema under <its topic>-value in a Confluent-compatible Schema Registry and print its id (the same id when it is already registered)'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "check" -d 'Compare each subject\'s latest version with this binary\'s schema: exit 0 when every one is the same, 1 when one differs or is missing, or the registry cannot be asked'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print this binary\'s JSON Schema of one event'
complete -c orders -n "__fish_orders_using_subcommand schema; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand healthcheck" -l timeout -d 'Longest wait for the answer' -r
complete -c orders -n "__fish_orders_using_subcommand healthcheck" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand healthcheck" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand healthcheck" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand completions" -l log-format -d 'Log line format. The level comes from RUST_LOG (default: info)' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line, for log collectors'"
complete -c orders -n "__fish_orders_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c orders -n "__fish_orders_using_subcommand completions" -s V -l version -d 'Print version'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "up" -d 'The whole local stack in one process: broker (nisshi, installed if missing), topics, gateway, order-service, inventory-service, payment-service and notification-service on SQLite. Ctrl-C stops everything'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "serve-gateway" -d 'Run the HTTP API gateway: POST /orders publishes order_created'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "serve-consumer" -d 'Run the order-service: keep every order from pending to confirmed or rejected, and announce its final state'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "serve-inventory" -d 'Run the inventory-service: reserve every item of an order at once or none, release the reservation when its payment fails'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "serve-payment" -d 'Run the payment-service: charge each reserved order once (simulated provider)'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "serve-notification" -d 'Run the notification-service: tell each order\'s outcome once per channel (webhook, email, log), with retries and dead letters'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "customers" -d 'Show the notification-service\'s customer directory, or set an entry (`orders customers set ID --email ADDRESS [--webhook]`)'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "notifications" -d 'The notifications the notification-service recorded: what was sent, what waits, what failed or was skipped and why'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "stock" -d 'Show the stock the inventory-service holds, or set it (`orders stock set SKU-1=100 SKU-2=5`)'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "submit" -d 'Send one order through the gateway and print where it landed'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "tail" -d 'Follow the order_created topic live, without joining the service\'s group'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "trace" -d 'Follow one order through the pipeline: its record on the topic (partition, offset, timestamp, headers such as traceparent), its state in the order-service, and the time between the steps. Exits 0 when it is persisted, 3 when it is on the topic but not persisted (yet) or the order-service cannot be asked, 1 when it is found nowhere'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "bench" -d 'Drive load through the gateway and report throughput and latency'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "dash" -d 'The whole pipeline live in the terminal: services, lag per partition, gateway latency, dead letters and the newest events (q quits, p pauses, tab moves between panes, / filters events by correlation id, enter traces one). --once prints one snapshot'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "dlq" -d 'The dead-letter topics: follow one, or replay its records once their cause is fixed (--topic notification-dlt for the notification-service\'s, order_created-dlt by default)'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "topics" -d 'Manage the topics the pipeline uses'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "lag" -d 'Show how far the order-service\'s consumer group is behind, per partition, and which member owns each partition'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "db" -d 'Manage the orders database'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "schema" -d 'Register or check the order_created JSON Schema in a Confluent-compatible Schema Registry'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "healthcheck" -d 'Exit 0 when URL answers 2xx: the container health check (no shell or curl needed)'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c orders -n "__fish_orders_using_subcommand help; and not __fish_seen_subcommand_from up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from customers" -f -a "set" -d 'Set a customer\'s entry, all of it: without --email the customer has no address (their email notifications are skipped, with that reason)'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from stock" -f -a "set" -d 'Set the units available of each SKU (SKUs the inventory does not know are added; units held by reservations in flight are not touched)'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "tail" -d 'Follow a dead-letter topic, with each record\'s error (same flags as `tail`; `--topic notification-dlt` reads the notification-service\'s, `--all` every service\'s at once)'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from dlq" -f -a "replay" -d 'Send dead-lettered records back to the topic they came from (`--topic` picks the dead-letter topic as for `tail`). A failed notification replayed is sent again'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from topics" -f -a "create" -d 'Create topics (by default every topic of the pipeline: one per event, one dead-letter topic per service). A topic that already exists is reported, and is an error only when its partition count is not the one asked for'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "migrate" -d 'Apply the migrations the database lacks; print them and the schema version'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "register" -d 'Register each event\'s JSON Schema under <its topic>-value in a Confluent-compatible Schema Registry and print its id (the same id when it is already registered)'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "check" -d 'Compare each subject\'s latest version with this binary\'s schema: exit 0 when every one is the same, 1 when one differs or is missing, or the registry cannot be asked'
complete -c orders -n "__fish_orders_using_subcommand help; and __fish_seen_subcommand_from schema" -f -a "show" -d 'Print this binary\'s JSON Schema of one event'
