import { Module } from '@nestjs/common';
import { ORDER_EVENTS_PUBLISHER } from './application/ports/OrderEventsPublisher';
import { SubmitOrder } from './application/use-cases/SubmitOrder';
import { GATEWAY_CONFIG, loadConfig } from './infrastructure/config/env';
import { KafkaProducerService } from './infrastructure/kafka/KafkaProducerService';
import { OrdersController } from './interface/http/nest/OrdersController';

@Module({
  controllers: [OrdersController],
  providers: [
    { provide: GATEWAY_CONFIG, useFactory: loadConfig },
    KafkaProducerService,
    { provide: ORDER_EVENTS_PUBLISHER, useExisting: KafkaProducerService },
    SubmitOrder,
  ],
})
export class AppModule {}
