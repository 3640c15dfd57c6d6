import { z } from 'zod';

// "Validação: Zod (OrderRequest) garante customerId UUID, itens e totalAmount."
// z.object strips unknown keys, so only these fields reach the event.
export const OrderItemSchema = z.object({
  sku: z.string().min(1),
  quantity: z.number().int().positive(),
});

export const OrderRequest = z.object({
  customerId: z.uuid(),
  items: z.array(OrderItemSchema).min(1),
  totalAmount: z.number().positive(),
});

export type OrderRequest = z.infer<typeof OrderRequest>;
