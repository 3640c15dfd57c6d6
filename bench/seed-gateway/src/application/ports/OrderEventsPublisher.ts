import { OrderCreatedEvent } from '../../domain/OrderCreatedEvent';

// The use case depends on this port, not on Kafka: "use cases permanecem agnósticos
// de transporte; apenas a camada infra conhece detalhes de producer/consumer".
export const ORDER_EVENTS_PUBLISHER = Symbol('ORDER_EVENTS_PUBLISHER');

export interface OrderEventsPublisher {
  /** Resolves once the broker acknowledged the event. */
  publishOrderCreated(event: OrderCreatedEvent): Promise<void>;
}
