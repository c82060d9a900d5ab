import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HOME_PAGE } from './home.page.js';

@ApiExcludeController()
@Controller()
export class HomeController {
  /** The HTML home page. */
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(): string {
    return HOME_PAGE;
  }
}
