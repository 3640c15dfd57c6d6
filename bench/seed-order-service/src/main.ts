import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ORDER_SERVICE_CONFIG, OrderServiceConfig } from './infrastructure/config/env';

// The order-service has no HTTP API in the design document (it is a Kafka consumer), so
// it runs as a Nest application context: modules, providers and lifecycle hooks, no
// HTTP platform. createApplicationContext initialises the modules, so the consumer has
// connected, subscribed and joined its group (onModuleInit) when it resolves.
async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule);
  // Without it onModuleDestroy never runs on SIGTERM/SIGINT and the consumer does not
  // leave its group.
  app.enableShutdownHooks();
  const config = app.get<OrderServiceConfig>(ORDER_SERVICE_CONFIG);
  console.log(
    `[order-service] consuming ${config.kafka.topicOrderCreated} as ${config.kafka.groupId}, brokers ${config.kafka.brokers.join(',')}`,
  );
}

void bootstrap();
