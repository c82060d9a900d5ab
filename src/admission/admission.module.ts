import { Module } from '@nestjs/common';
import { AdmissionControl } from './admission.control.js';

/** Admission control of GET /api/v1/getcode; configureApp mounts its middleware first on that route. */
@Module({ providers: [AdmissionControl], exports: [AdmissionControl] })
export class AdmissionModule {}
