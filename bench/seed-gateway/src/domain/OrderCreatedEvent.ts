// The `order_created` contract from the design document ("Contrato do Evento
// order_created"). Field order here is the order of the JSON on the topic.
export interface OrderItem {
  sku: string;
  quantity: number;
}

export interface OrderCreatedEvent {
  correlationId: string;
  customerId: string;
  items: OrderItem[];
  totalAmount: number;
  createdAt: string;
}
