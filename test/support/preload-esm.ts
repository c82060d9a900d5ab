/**
 * nestjs-pino is CommonJS and requires @nestjs/common and @nestjs/core,
 * which are ESM-only. Node loads that fine; Jest's ESM runtime refuses it as a
 * "cycle" when the require happens while those modules are still being
 * linked. Evaluating them first, before any test module, avoids that.
 */
import '@nestjs/common';
import '@nestjs/core';
