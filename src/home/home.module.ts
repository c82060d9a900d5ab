import { Module } from '@nestjs/common';
import { HomeController } from './home.controller.js';

/** `GET /`: a small HTML page about the service. */
@Module({ controllers: [HomeController] })
export class HomeModule {}
