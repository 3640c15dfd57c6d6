import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { CreateOrderUseCase } from '../../application/use-cases/CreateOrder';
import { ORDER_SERVICE_CONFIG, OrderServiceConfig } from '../../infrastructure/config/env';
import { CreateOrderRequest } from './schemas/CreateOrderRequest';

// "KafkaConsumerService assina o tópico order_created", group `order-service-group`:
// receives each event, parses the JSON, validates it with Zod and hands it to the use
// case. Lifecycle through Nest's hooks. Failures are logged and the message is skipped:
// "Sem retries/DLQ: erros de processamento são logados mas não reprocessados".
@Injectable()
export class KafkaConsumerService implements OnModuleInit, OnModuleDestroy {
  private readonly consumer: Consumer;
  private readonly topic: string;

  constructor(
    @Inject(ORDER_SERVICE_CONFIG) config: OrderServiceConfig,
    private readonly createOrder: CreateOrderUseCase,
  ) {
    const kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
    });
    this.consumer = kafka.consumer({ groupId: config.kafka.groupId });
    this.topic = config.kafka.topicOrderCreated;
  }

  async onModuleInit(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic });
    await this.consumer.run({ eachMessage: (payload) => this.handle(payload) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const raw = message.value?.toString() ?? '';
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      console.error(
        `[order-service][KafkaConsumerService] invalid JSON on ${topic}[${partition}]@${message.offset}: ${(error as Error).message}`,
      );
      return;
    }
    const correlationId =
      typeof (json as { correlationId?: unknown })?.correlationId === 'string'
        ? (json as { correlationId: string }).correlationId
        : message.key?.toString();
    console.log(`[order-service][KafkaConsumerService] order_created received correlationId=${correlationId}`);

    const parsed = CreateOrderRequest.safeParse(json);
    if (!parsed.success) {
      console.error(
        `[order-service][KafkaConsumerService] invalid order_created correlationId=${correlationId}: ${JSON.stringify(parsed.error.issues)}`,
      );
      return;
    }
    try {
      await this.createOrder.execute(parsed.data);
    } catch (error) {
      console.error(
        `[order-service][KafkaConsumerService] order not created correlationId=${correlationId}: ${(error as Error).message}`,
      );
    }
  }
}
