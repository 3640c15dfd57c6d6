import { Injectable } from '@nestjs/common';
import { NewOrder, Order } from '../../domain/Order';
import { OrdersRepository } from '../../domain/OrdersRepository';

// "InMemoryOrdersRepository persiste em Map, preenchendo createdAt." A restart loses
// everything ("Persistência em memória: reinícios perdem dados").
@Injectable()
export class InMemoryOrdersRepository implements OrdersRepository {
  private readonly orders = new Map<string, Order>();

  async create(order: NewOrder): Promise<Order> {
    const stored: Order = { ...order, createdAt: new Date().toISOString() };
    this.orders.set(stored.id, stored);
    console.log(
      `[order-service][InMemoryOrdersRepository] order ${stored.id} saved correlationId=${stored.correlationId}`,
    );
    return stored;
  }

  async findById(id: string): Promise<Order | undefined> {
    return this.orders.get(id);
  }

  count(): number {
    return this.orders.size;
  }
}
