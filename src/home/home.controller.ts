import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HOME_PAGE, HOME_PAGE_ETAG } from './home.page.js';

@ApiExcludeController()
@Controller()
export class HomeController {
  /** The HTML home page; revalidated on each visit, which costs a 304 while it is unchanged. */
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('ETag', HOME_PAGE_ETAG)
  home(): string {
    return HOME_PAGE;
  }
}
