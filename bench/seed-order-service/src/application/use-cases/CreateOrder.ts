import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Order, OrderItem } from '../../domain/Order';
import { ORDERS_REPOSITORY, OrdersRepository } from '../../domain/OrdersRepository';

export interface CreateOrderInput {
  correlationId: string;
  customerId: string;
  items: OrderItem[];
  totalAmount: number;
}

// "application/use-cases/CreateOrder cria pedidos com status inicial pending." It knows
// nothing of Kafka: "use cases permanecem agnósticos de transporte (HTTP ou Kafka)".
@Injectable()
export class CreateOrderUseCase {
  constructor(@Inject(ORDERS_REPOSITORY) private readonly orders: OrdersRepository) {}

  async execute(input: CreateOrderInput): Promise<Order> {
    console.log(`[order-service][CreateOrderUseCase] creating order correlationId=${input.correlationId}`);
    const order = await this.orders.create({
      id: randomUUID(),
      correlationId: input.correlationId,
      customerId: input.customerId,
      items: input.items.map(({ sku, quantity }) => ({ sku, quantity })),
      totalAmount: input.totalAmount,
      status: 'pending',
    });
    console.log(
      `[order-service][CreateOrderUseCase] order ${order.id} created status=${order.status} correlationId=${order.correlationId}`,
    );
    return order;
  }
}
