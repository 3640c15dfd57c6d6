// Environment of the order-service, with the defaults of the design document's table.
export interface OrderServiceConfig {
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    topicOrderCreated: string;
  };
  /** Not in the design document: where GET /stats listens (see README). */
  statsListen: { host: string; port: number };
}

export const ORDER_SERVICE_CONFIG = Symbol('ORDER_SERVICE_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrderServiceConfig {
  const brokers = (env.KAFKA_BROKERS || env.KAFKA_BROKER || 'localhost:9094')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  const listen = env.SEED_ORDER_SERVICE_LISTEN || '127.0.0.1:3201';
  const colon = listen.lastIndexOf(':');
  return {
    kafka: {
      brokers,
      clientId: env.KAFKA_CLIENT_ID || 'order-service',
      groupId: env.KAFKA_GROUP_ID || 'order-service-group',
      topicOrderCreated: env.KAFKA_TOPIC_ORDER_CREATED || 'order_created',
    },
    statsListen: {
      host: colon > 0 ? listen.slice(0, colon) : '127.0.0.1',
      port: Number(colon >= 0 ? listen.slice(colon + 1) : listen),
    },
  };
}
