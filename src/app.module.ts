import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { CodesModule } from './codes/codes.module.js';
import { LoggingModule } from './common/logging.module.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { appConfig } from './config/app.config.js';
import { azureConfig } from './config/azure.config.js';
import { httpConfig } from './config/http.config.js';
import { queueConfig } from './config/queue.config.js';
import { secretsConfig } from './config/secrets.config.js';
import { thirdPartyConfig } from './config/third-party.config.js';
import { HealthModule } from './health/health.module.js';
import { HomeModule } from './home/home.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      // Configuration comes from the environment only (App Service app settings;
      // `npm run dev` layers .env over .env.example). It is validated in main.ts.
      ignoreEnvFile: true,
      load: [appConfig, httpConfig, azureConfig, secretsConfig, thirdPartyConfig, queueConfig],
    }),
    LoggingModule,
    HomeModule,
    CodesModule,
    HealthModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
})
export class AppModule {}
