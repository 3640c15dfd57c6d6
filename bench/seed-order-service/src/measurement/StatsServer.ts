import { createServer, Server } from 'node:http';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ORDERS_REPOSITORY, OrdersRepository } from '../domain/OrdersRepository';
import { ORDER_SERVICE_CONFIG, OrderServiceConfig } from '../infrastructure/config/env';

// NOT PART OF THE SEED. The design document gives the order-service no HTTP at all; this
// answers `GET /stats` with `{"created": N}` (orders in the repository) only so that
// bench/compare.sh can count what the service persisted. It uses node:http, not Express,
// so that it adds no framework to the service being measured. It starts listening once
// every module is initialised, that is once the consumer has joined its group.
@Injectable()
export class StatsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private server?: Server;

  constructor(
    @Inject(ORDER_SERVICE_CONFIG) private readonly config: OrderServiceConfig,
    @Inject(ORDERS_REPOSITORY) private readonly orders: OrdersRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/stats') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ created: this.orders.count() }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"Not Found"}');
      }
    });
    const { host, port } = this.config.statsListen;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    console.log(`[order-service] GET /stats on ${host}:${port} (measurement only)`);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
