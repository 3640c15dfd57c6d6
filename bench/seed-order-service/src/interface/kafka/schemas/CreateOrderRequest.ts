import { z } from 'zod';

// The `order_created` event as the order-service accepts it ("Contrato do Evento
// order_created"; "contratos validados via Zod em ambos os lados"). The rules for
// customerId, items and totalAmount are the gateway's OrderRequest ones.
export const OrderItemSchema = z.object({
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
});

export const CreateOrderRequest = z.object({
  correlationId: z.string().min(1),
  customerId: z.uuid(),
  items: z.array(OrderItemSchema).min(1),
  totalAmount: z.number().positive(),
  createdAt: z.iso.datetime(),
});

export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>;
