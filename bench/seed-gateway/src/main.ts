import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { GATEWAY_CONFIG, GatewayConfig } from './infrastructure/config/env';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  // Without it onModuleDestroy never runs on SIGTERM/SIGINT and the producer is not
  // disconnected.
  app.enableShutdownHooks();
  const config = app.get<GatewayConfig>(GATEWAY_CONFIG);
  if (config.host) {
    await app.listen(config.port, config.host);
  } else {
    await app.listen(config.port);
  }
  console.log(
    `[api-gateway] listening on ${config.host ?? '*'}:${config.port}, brokers ${config.kafka.brokers.join(',')}, topic ${config.kafka.topicOrderCreated}`,
  );
}

void bootstrap();
