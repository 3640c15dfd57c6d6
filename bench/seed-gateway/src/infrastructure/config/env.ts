// Environment of the gateway, with the defaults of the design document's table.
export interface GatewayConfig {
  port: number;
  host?: string;
  kafka: {
    brokers: string[];
    clientId: string;
    topicOrderCreated: string;
    idempotent: boolean;
  };
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const brokers = (env.KAFKA_BROKERS || env.KAFKA_BROKER || 'localhost:9094')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  return {
    port: Number(env.PORT || 3000),
    host: env.HOST || undefined,
    kafka: {
      brokers,
      clientId: env.KAFKA_CLIENT_ID || 'api-gateway',
      topicOrderCreated: env.KAFKA_TOPIC_ORDER_CREATED || 'order_created',
      // Not in the design document: a benchmark knob (see README). Default on.
      idempotent: (env.KAFKA_IDEMPOTENT || 'true').toLowerCase() !== 'false',
    },
  };
}
