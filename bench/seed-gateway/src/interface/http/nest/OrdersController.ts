import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
} from '@nestjs/common';
import { SubmitOrder } from '../../../application/use-cases/SubmitOrder';
import { OrderCreatedEvent } from '../../../domain/OrderCreatedEvent';
import { OrderRequest } from '../schemas/OrderRequest';

export interface OrderAccepted {
  correlationId: string;
  event: OrderCreatedEvent;
}

// Receives the request, validates it with Zod and calls the use case.
@Controller('orders')
export class OrdersController {
  constructor(private readonly submitOrder: SubmitOrder) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(
    @Body() body: unknown,
    @Headers('x-correlation-id') correlationIdHeader?: string,
  ): Promise<OrderAccepted> {
    const parsed = OrderRequest.safeParse(body);
    if (!parsed.success) {
      throw new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        message: 'Invalid order payload',
        issues: parsed.error.issues,
      });
    }
    const correlationId = correlationIdHeader?.trim() || randomUUID();
    const event = await this.submitOrder.execute({ correlationId, ...parsed.data });
    return { correlationId, event };
  }
}
