_orders() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="orders"
                ;;
            orders,bench)
                cmd="orders__subcmd__bench"
                ;;
            orders,completions)
                cmd="orders__subcmd__completions"
                ;;
            orders,customers)
                cmd="orders__subcmd__customers"
                ;;
            orders,dash)
                cmd="orders__subcmd__dash"
                ;;
            orders,db)
                cmd="orders__subcmd__db"
                ;;
            orders,dlq)
                cmd="orders__subcmd__dlq"
                ;;
            orders,healthcheck)
                cmd="orders__subcmd__healthcheck"
                ;;
            orders,help)
                cmd="orders__subcmd__help"
                ;;
            orders,lag)
                cmd="orders__subcmd__lag"
                ;;
            orders,notifications)
                cmd="orders__subcmd__notifications"
                ;;
            orders,schema)
                cmd="orders__subcmd__schema"
                ;;
            orders,serve-consumer)
                cmd="orders__subcmd__serve__subcmd__consumer"
                ;;
            orders,serve-gateway)
                cmd="orders__subcmd__serve__subcmd__gateway"
                ;;
            orders,serve-inventory)
                cmd="orders__subcmd__serve__subcmd__inventory"
                ;;
            orders,serve-notification)
                cmd="orders__subcmd__serve__subcmd__notification"
                ;;
            orders,serve-payment)
                cmd="orders__subcmd__serve__subcmd__payment"
                ;;
            orders,stock)
                cmd="orders__subcmd__stock"
                ;;
            orders,submit)
                cmd="orders__subcmd__submit"
                ;;
            orders,tail)
                cmd="orders__subcmd__tail"
                ;;
            orders,topics)
                cmd="orders__subcmd__topics"
                ;;
            orders,trace)
                cmd="orders__subcmd__trace"
                ;;
            orders,up)
                cmd="orders__subcmd__up"
                ;;
            orders__subcmd__customers,help)
                cmd="orders__subcmd__customers__subcmd__help"
                ;;
            orders__subcmd__customers,set)
                cmd="orders__subcmd__customers__subcmd__set"
                ;;
            orders__subcmd__customers__subcmd__help,help)
                cmd="orders__subcmd__customers__subcmd__help__subcmd__help"
                ;;
            orders__subcmd__customers__subcmd__help,set)
                cmd="orders__subcmd__customers__subcmd__help__subcmd__set"
                ;;
            orders__subcmd__db,help)
                cmd="orders__subcmd__db__subcmd__help"
                ;;
            orders__subcmd__db,migrate)
                cmd="orders__subcmd__db__subcmd__migrate"
                ;;
            orders__subcmd__db__subcmd__help,help)
                cmd="orders__subcmd__db__subcmd__help__subcmd__help"
                ;;
            orders__subcmd__db__subcmd__help,migrate)
                cmd="orders__subcmd__db__subcmd__help__subcmd__migrate"
                ;;
            orders__subcmd__dlq,help)
                cmd="orders__subcmd__dlq__subcmd__help"
                ;;
            orders__subcmd__dlq,replay)
                cmd="orders__subcmd__dlq__subcmd__replay"
                ;;
            orders__subcmd__dlq,tail)
                cmd="orders__subcmd__dlq__subcmd__tail"
                ;;
            orders__subcmd__dlq__subcmd__help,help)
                cmd="orders__subcmd__dlq__subcmd__help__subcmd__help"
                ;;
            orders__subcmd__dlq__subcmd__help,replay)
                cmd="orders__subcmd__dlq__subcmd__help__subcmd__replay"
                ;;
            orders__subcmd__dlq__subcmd__help,tail)
                cmd="orders__subcmd__dlq__subcmd__help__subcmd__tail"
                ;;
            orders__subcmd__help,bench)
                cmd="orders__subcmd__help__subcmd__bench"
                ;;
            orders__subcmd__help,completions)
                cmd="orders__subcmd__help__subcmd__completions"
                ;;
            orders__subcmd__help,customers)
                cmd="orders__subcmd__help__subcmd__customers"
                ;;
            orders__subcmd__help,dash)
                cmd="orders__subcmd__help__subcmd__dash"
                ;;
            orders__subcmd__help,db)
                cmd="orders__subcmd__help__subcmd__db"
                ;;
            orders__subcmd__help,dlq)
                cmd="orders__subcmd__help__subcmd__dlq"
                ;;
            orders__subcmd__help,healthcheck)
                cmd="orders__subcmd__help__subcmd__healthcheck"
                ;;
            orders__subcmd__help,help)
                cmd="orders__subcmd__help__subcmd__help"
                ;;
            orders__subcmd__help,lag)
                cmd="orders__subcmd__help__subcmd__lag"
                ;;
            orders__subcmd__help,notifications)
                cmd="orders__subcmd__help__subcmd__notifications"
                ;;
            orders__subcmd__help,schema)
                cmd="orders__subcmd__help__subcmd__schema"
                ;;
            orders__subcmd__help,serve-consumer)
                cmd="orders__subcmd__help__subcmd__serve__subcmd__consumer"
                ;;
            orders__subcmd__help,serve-gateway)
                cmd="orders__subcmd__help__subcmd__serve__subcmd__gateway"
                ;;
            orders__subcmd__help,serve-inventory)
                cmd="orders__subcmd__help__subcmd__serve__subcmd__inventory"
                ;;
            orders__subcmd__help,serve-notification)
                cmd="orders__subcmd__help__subcmd__serve__subcmd__notification"
                ;;
            orders__subcmd__help,serve-payment)
                cmd="orders__subcmd__help__subcmd__serve__subcmd__payment"
                ;;
            orders__subcmd__help,stock)
                cmd="orders__subcmd__help__subcmd__stock"
                ;;
            orders__subcmd__help,submit)
                cmd="orders__subcmd__help__subcmd__submit"
                ;;
            orders__subcmd__help,tail)
                cmd="orders__subcmd__help__subcmd__tail"
                ;;
            orders__subcmd__help,topics)
                cmd="orders__subcmd__help__subcmd__topics"
                ;;
            orders__subcmd__help,trace)
                cmd="orders__subcmd__help__subcmd__trace"
                ;;
            orders__subcmd__help,up)
                cmd="orders__subcmd__help__subcmd__up"
                ;;
            orders__subcmd__help__subcmd__customers,set)
                cmd="orders__subcmd__help__subcmd__customers__subcmd__set"
                ;;
            orders__subcmd__help__subcmd__db,migrate)
                cmd="orders__subcmd__help__subcmd__db__subcmd__migrate"
                ;;
            orders__subcmd__help__subcmd__dlq,replay)
                cmd="orders__subcmd__help__subcmd__dlq__subcmd__replay"
                ;;
            orders__subcmd__help__subcmd__dlq,tail)
                cmd="orders__subcmd__help__subcmd__dlq__subcmd__tail"
                ;;
            orders__subcmd__help__subcmd__schema,check)
                cmd="orders__subcmd__help__subcmd__schema__subcmd__check"
                ;;
            orders__subcmd__help__subcmd__schema,register)
                cmd="orders__subcmd__help__subcmd__schema__subcmd__register"
                ;;
            orders__subcmd__help__subcmd__schema,show)
                cmd="orders__subcmd__help__subcmd__schema__subcmd__show"
                ;;
            orders__subcmd__help__subcmd__stock,set)
                cmd="orders__subcmd__help__subcmd__stock__subcmd__set"
                ;;
            orders__subcmd__help__subcmd__topics,create)
                cmd="orders__subcmd__help__subcmd__topics__subcmd__create"
                ;;
            orders__subcmd__schema,check)
                cmd="orders__subcmd__schema__subcmd__check"
                ;;
            orders__subcmd__schema,help)
                cmd="orders__subcmd__schema__subcmd__help"
                ;;
            orders__subcmd__schema,register)
                cmd="orders__subcmd__schema__subcmd__register"
                ;;
            orders__subcmd__schema,show)
                cmd="orders__subcmd__schema__subcmd__show"
                ;;
            orders__subcmd__schema__subcmd__help,check)
                cmd="orders__subcmd__schema__subcmd__help__subcmd__check"
                ;;
            orders__subcmd__schema__subcmd__help,help)
                cmd="orders__subcmd__schema__subcmd__help__subcmd__help"
                ;;
            orders__subcmd__schema__subcmd__help,register)
                cmd="orders__subcmd__schema__subcmd__help__subcmd__register"
                ;;
            orders__subcmd__schema__subcmd__help,show)
                cmd="orders__subcmd__schema__subcmd__help__subcmd__show"
                ;;
            orders__subcmd__stock,help)
                cmd="orders__subcmd__stock__subcmd__help"
                ;;
            orders__subcmd__stock,set)
                cmd="orders__subcmd__stock__subcmd__set"
                ;;
            orders__subcmd__stock__subcmd__help,help)
                cmd="orders__subcmd__stock__subcmd__help__subcmd__help"
                ;;
            orders__subcmd__stock__subcmd__help,set)
                cmd="orders__subcmd__stock__subcmd__help__subcmd__set"
                ;;
            orders__subcmd__topics,create)
                cmd="orders__subcmd__topics__subcmd__create"
                ;;
            orders__subcmd__topics,help)
                cmd="orders__subcmd__topics__subcmd__help"
                ;;
            orders__subcmd__topics__subcmd__help,create)
                cmd="orders__subcmd__topics__subcmd__help__subcmd__create"
                ;;
            orders__subcmd__topics__subcmd__help,help)
                cmd="orders__subcmd__topics__subcmd__help__subcmd__help"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        orders)
            opts="-h -V --log-format --help --version up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__bench)
            opts="-n -c -h -V --requests --duration --concurrency --rate --warmup --gateway --seed --e2e --admin --e2e-timeout --json --max-p99 --max-error-rate --timeout --report --baseline --max-regression --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --requests)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -n)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --duration)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -c)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rate)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --warmup)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --gateway)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --seed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --e2e-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-p99)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-error-rate)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --report)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --baseline)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-regression)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__completions)
            opts="-h -V --log-format --help --version bash elvish fish powershell zsh"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__customers)
            opts="-h -V --json --notification --timeout --log-format --help --version set help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --notification)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__customers__subcmd__help)
            opts="set help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__customers__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__customers__subcmd__help__subcmd__set)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__customers__subcmd__set)
            opts="-h -V --email --webhook --json --notification --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --email)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dash)
            opts="-X -h -V --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --gateway --admin --inventory --payment --notification --group --inventory-group --payment-group --notification-group --interval --timeout --once --json --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --gateway)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --payment)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --payment-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --interval)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__db)
            opts="-h -V --log-format --help --version migrate help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__db__subcmd__help)
            opts="migrate help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__db__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__db__subcmd__help__subcmd__migrate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__db__subcmd__migrate)
            opts="-h -V --database-url --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --database-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dlq)
            opts="-h -V --log-format --help --version tail replay help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dlq__subcmd__help)
            opts="tail replay help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dlq__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dlq__subcmd__help__subcmd__replay)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dlq__subcmd__help__subcmd__tail)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dlq__subcmd__replay)
            opts="-X -h -V --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --correlation-id --all --include-replayed --dry-run --replay-group --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --correlation-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --replay-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__dlq__subcmd__tail)
            opts="-X -n -h -V --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --from --count --json --correlation-id --timeout --all --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --from)
                    COMPREPLY=($(compgen -W "beginning end" -- "${cur}"))
                    return 0
                    ;;
                --count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -n)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --correlation-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__healthcheck)
            opts="-h -V --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help)
            opts="up serve-gateway serve-consumer serve-inventory serve-payment serve-notification customers notifications stock submit tail trace bench dash dlq topics lag db schema healthcheck completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__bench)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__completions)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__customers)
            opts="set"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__customers__subcmd__set)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__dash)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__db)
            opts="migrate"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__db__subcmd__migrate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__dlq)
            opts="tail replay"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__dlq__subcmd__replay)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__dlq__subcmd__tail)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__healthcheck)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__lag)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__notifications)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__schema)
            opts="register check show"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__schema__subcmd__check)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__schema__subcmd__register)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__schema__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__serve__subcmd__consumer)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__serve__subcmd__gateway)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__serve__subcmd__inventory)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__serve__subcmd__notification)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__serve__subcmd__payment)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__stock)
            opts="set"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__stock__subcmd__set)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__submit)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__tail)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__topics)
            opts="create"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__topics__subcmd__create)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__trace)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__help__subcmd__up)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__lag)
            opts="-X -h -V --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --group --json --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__notifications)
            opts="-h -V --correlation-id --state --limit --json --notification --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --correlation-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --state)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema)
            opts="-h -V --log-format --help --version register check show help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__check)
            opts="-h -V --registry --event --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --subject --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --registry)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --event)
                    COMPREPLY=($(compgen -W "order_created inventory_reserved inventory_rejected inventory_released payment_completed payment_failed order_confirmed order_rejected" -- "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --subject)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__help)
            opts="register check show help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__help__subcmd__check)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__help__subcmd__register)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__help__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__register)
            opts="-h -V --registry --event --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --subject --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --registry)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --event)
                    COMPREPLY=($(compgen -W "order_created inventory_reserved inventory_rejected inventory_released payment_completed payment_failed order_confirmed order_rejected" -- "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --subject)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__schema__subcmd__show)
            opts="-h -V --log-format --help --version order_created inventory_reserved inventory_rejected inventory_released payment_completed payment_failed order_confirmed order_rejected"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__serve__subcmd__consumer)
            opts="-X -h -V --database-url --admin-listen --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --group --dead-letter-topic --no-dead-letter --max-batch --drain-delay --shutdown-timeout --admin-token --admin-token-file --admin-public-without-token --tls-cert --tls-key --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --database-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --dead-letter-topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-batch)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drain-delay)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shutdown-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-key)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__serve__subcmd__gateway)
            opts="-X -h -V --listen --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --publish-timeout --request-timeout --drain-delay --shutdown-timeout --api-keys-file --rate-limit --tls-cert --tls-key --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --publish-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --request-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drain-delay)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shutdown-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --api-keys-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rate-limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-key)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__serve__subcmd__inventory)
            opts="-X -h -V --database-url --admin-listen --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --inventory-group --no-dead-letter --max-batch --drain-delay --shutdown-timeout --admin-token --admin-token-file --admin-public-without-token --tls-cert --tls-key --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --database-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-batch)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drain-delay)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shutdown-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-key)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__serve__subcmd__notification)
            opts="-X -h -V --database-url --admin-listen --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --notification-group --webhook-url --webhook-secret --webhook-opt-in --smtp-url --mail-from --log-notifications --delivery-timeout --delivery-attempts --delivery-concurrency --retry-initial --retry-max --no-dead-letter --max-batch --drain-delay --shutdown-timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --database-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --webhook-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --webhook-secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --smtp-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --mail-from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delivery-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delivery-attempts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delivery-concurrency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --retry-initial)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --retry-max)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-batch)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drain-delay)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shutdown-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__serve__subcmd__payment)
            opts="-X -h -V --database-url --admin-listen --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --payment-group --decline-over --decline-rate --seed --latency --no-dead-letter --max-batch --drain-delay --shutdown-timeout --admin-token --admin-token-file --admin-public-without-token --tls-cert --tls-key --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --database-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --payment-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --decline-over)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --decline-rate)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --seed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --latency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-batch)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drain-delay)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shutdown-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tls-key)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__stock)
            opts="-h -V --json --inventory --timeout --log-format --help --version set help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__stock__subcmd__help)
            opts="set help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__stock__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__stock__subcmd__help__subcmd__set)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__stock__subcmd__set)
            opts="-h -V --json --inventory --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__submit)
            opts="-h -V --customer --sku --total --correlation-id --gateway --admin --inventory --payment --json --wait --wait-timeout --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --customer)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sku)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --total)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --correlation-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --gateway)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --payment)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --wait-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__tail)
            opts="-X -n -h -V --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --from --count --json --correlation-id --timeout --all --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --from)
                    COMPREPLY=($(compgen -W "beginning end" -- "${cur}"))
                    return 0
                    ;;
                --count)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -n)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --correlation-id)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__topics)
            opts="-h -V --log-format --help --version create help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__topics__subcmd__create)
            opts="-X -h -V --partitions --replication-factor --min-insync-replicas --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --timeout --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --partitions)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --replication-factor)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --min-insync-replicas)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__topics__subcmd__help)
            opts="create help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__topics__subcmd__help__subcmd__create)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__topics__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__trace)
            opts="-X -h -V --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --admin --inventory --payment --notification --scan-timeout --timeout --json --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --payment)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --scan-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        orders__subcmd__up)
            opts="-X -h -V --data-dir --listen --admin-listen --inventory-listen --payment-listen --notification-listen --stock --partitions --dash --brokers --kafka-option --topic --topic-inventory-reserved --topic-inventory-rejected --topic-inventory-released --topic-payment-completed --topic-payment-failed --topic-order-confirmed --topic-order-rejected --topic-inventory-dlt --topic-payment-dlt --topic-notification-dlt --security-protocol --sasl-mechanism --sasl-username --sasl-password --sasl-password-file --ssl-ca-location --ssl-certificate-location --ssl-key-location --ssl-key-password --ssl-key-password-file --publish-timeout --request-timeout --group --dead-letter-topic --no-dead-letter --max-batch --inventory-group --payment-group --decline-over --decline-rate --seed --latency --notification-group --webhook-url --webhook-secret --webhook-opt-in --smtp-url --mail-from --log-notifications --delivery-timeout --delivery-attempts --delivery-concurrency --retry-initial --retry-max --drain-delay --shutdown-timeout --admin-token --admin-token-file --admin-public-without-token --api-keys-file --rate-limit --log-format --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --data-dir)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --payment-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification-listen)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --stock)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --partitions)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --brokers)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kafka-option)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -X)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-reserved)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-released)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-completed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-failed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-confirmed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-order-rejected)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-inventory-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-payment-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --topic-notification-dlt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --security-protocol)
                    COMPREPLY=($(compgen -W "PLAINTEXT SSL SASL_PLAINTEXT SASL_SSL" -- "${cur}"))
                    return 0
                    ;;
                --sasl-mechanism)
                    COMPREPLY=($(compgen -W "PLAIN SCRAM-SHA-256 SCRAM-SHA-512" -- "${cur}"))
                    return 0
                    ;;
                --sasl-username)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sasl-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-ca-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-certificate-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-location)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssl-key-password-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --publish-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --request-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --dead-letter-topic)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --max-batch)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --inventory-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --payment-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --decline-over)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --decline-rate)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --seed)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --latency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --notification-group)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --webhook-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --webhook-secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --smtp-url)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --mail-from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delivery-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delivery-attempts)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --delivery-concurrency)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --retry-initial)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --retry-max)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --drain-delay)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shutdown-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --admin-token-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --api-keys-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --rate-limit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --log-format)
                    COMPREPLY=($(compgen -W "pretty json" -- "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _orders -o nosort -o bashdefault -o default orders
else
    complete -F _orders -o bashdefault -o default orders
fi
