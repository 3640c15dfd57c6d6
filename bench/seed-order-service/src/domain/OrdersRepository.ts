import { NewOrder, Order } from './Order';

// The persistence contract. The use case depends on it; the infrastructure implements it.
export const ORDERS_REPOSITORY = Symbol('ORDERS_REPOSITORY');

export interface OrdersRepository {
  /** Persists the order, filling createdAt, and returns it as stored. */
  create(order: NewOrder): Promise<Order>;
  findById(id: string): Promise<Order | undefined>;
  /** Not in the design document: how many orders are stored, for GET /stats (see README). */
  count(): number;
}
