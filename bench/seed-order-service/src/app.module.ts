import { Module } from '@nestjs/common';
import { CreateOrderUseCase } from './application/use-cases/CreateOrder';
import { ORDERS_REPOSITORY } from './domain/OrdersRepository';
import { ORDER_SERVICE_CONFIG, loadConfig } from './infrastructure/config/env';
import { InMemoryOrdersRepository } from './infrastructure/persistence/InMemoryOrdersRepository';
import { KafkaConsumerService } from './interface/kafka/KafkaConsumerService';
import { StatsServer } from './measurement/StatsServer';

@Module({
  providers: [
    { provide: ORDER_SERVICE_CONFIG, useFactory: loadConfig },
    InMemoryOrdersRepository,
    { provide: ORDERS_REPOSITORY, useExisting: InMemoryOrdersRepository },
    CreateOrderUseCase,
    KafkaConsumerService,
    // Measurement only, not in the seed: see measurement/StatsServer.ts.
    StatsServer,
  ],
})
export class AppModule {}
