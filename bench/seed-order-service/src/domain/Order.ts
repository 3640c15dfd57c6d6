// The order entity ("domain/ contém entidade e contratos (Order, OrdersRepository)").
// An order is created from an `order_created` event with the initial status `pending`.
export type OrderStatus = 'pending';

export interface OrderItem {
  sku: string;
  quantity: number;
}

export interface Order {
  id: string;
  correlationId: string;
  customerId: string;
  items: OrderItem[];
  totalAmount: number;
  status: OrderStatus;
  /** Filled by the repository when the order is persisted. */
  createdAt: string;
}

/** What the use case hands to the repository: everything but createdAt. */
export type NewOrder = Omit<Order, 'createdAt'>;
