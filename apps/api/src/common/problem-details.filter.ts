import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { writeProblem } from './problem-details.js';

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    this.logger.setContext('ProblemDetailsFilter');
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    if (writeProblem(error, http.getRequest<Request>(), http.getResponse<Response>())) {
      this.logger.error({ err: error }, 'unhandled error');
    }
  }
}
