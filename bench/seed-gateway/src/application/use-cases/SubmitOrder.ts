import { Inject, Injectable } from '@nestjs/common';
import { OrderCreatedEvent, OrderItem } from '../../domain/OrderCreatedEvent';
import { ORDER_EVENTS_PUBLISHER, OrderEventsPublisher } from '../ports/OrderEventsPublisher';

export interface SubmitOrderInput {
  correlationId: string;
  customerId: string;
  items: OrderItem[];
  totalAmount: number;
}

// Orchestrates the publication of `order_created`: builds the event, publishes it and
// returns it once the broker acknowledged it.
@Injectable()
export class SubmitOrder {
  constructor(
    @Inject(ORDER_EVENTS_PUBLISHER) private readonly publisher: OrderEventsPublisher,
  ) {}

  async execute(input: SubmitOrderInput): Promise<OrderCreatedEvent> {
    const event: OrderCreatedEvent = {
      correlationId: input.correlationId,
      customerId: input.customerId,
      items: input.items.map(({ sku, quantity }) => ({ sku, quantity })),
      totalAmount: input.totalAmount,
      createdAt: new Date().toISOString(),
    };
    await this.publisher.publishOrderCreated(event);
    console.log(`[api-gateway][SubmitOrder] order_created published correlationId=${event.correlationId}`);
    return event;
  }
}
