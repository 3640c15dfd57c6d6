import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { OrderEventsPublisher } from '../../application/ports/OrderEventsPublisher';
import { OrderCreatedEvent } from '../../domain/OrderCreatedEvent';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/env';

// Connects to Kafka and sends messages. Lifecycle through Nest's hooks.
@Injectable()
export class KafkaProducerService implements OrderEventsPublisher, OnModuleInit, OnModuleDestroy {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
    });
    this.producer = kafka.producer({
      idempotent: config.kafka.idempotent,
      // KafkaJS 2's default, named explicitly to silence its start-up warning.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.topic = config.kafka.topicOrderCreated;
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect();
  }

  async publishOrderCreated(event: OrderCreatedEvent): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: event.correlationId, value: JSON.stringify(event) }],
    });
  }
}
