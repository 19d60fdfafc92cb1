/** The FormSubmitter port over one shared browser and a page pool. */
import type { Browser } from 'puppeteer-core';
import type { ObjectStore } from '../../app/ports.ts';
import { rankConsultLinks } from '../../domain/forms/discover.ts';
import type { FormSubmitter, SubmitRequest, SubmitResult } from '../../domain/forms/submission.ts';
import { launchBrowser, PagePool, type LaunchOptions } from './launch.ts';
import { pageLinks, submitForm } from './submit-form.ts';

/** Pages one browser works with at once by default: measured on 2 cores (bench/submit.ts), 6 fill them at ~1 GB. */
export const DEFAULT_BROWSER_PAGES = 6;

export interface BrowserSubmitterOptions {
  /** Pages at once (default DEFAULT_BROWSER_PAGES). */
  pages?: number;
  navigationTimeoutMs?: number;
  settleTimeoutMs?: number;
}

export class BrowserSubmitter implements FormSubmitter {
  readonly pool: PagePool;
  constructor(
    readonly browser: Browser,
    private readonly objects: ObjectStore,
    private readonly options: BrowserSubmitterOptions = {},
  ) {
    this.pool = new PagePool(browser, options.pages ?? DEFAULT_BROWSER_PAGES);
  }

  static async launch(objects: ObjectStore, options: BrowserSubmitterOptions & LaunchOptions = {}): Promise<BrowserSubmitter> {
    return new BrowserSubmitter(await launchBrowser(options), objects, options);
  }

  submit(request: SubmitRequest): Promise<SubmitResult> {
    return this.pool.use((page) =>
      submitForm(
        page,
        {
          navigationTimeoutMs: this.options.navigationTimeoutMs,
          settleTimeoutMs: this.options.settleTimeoutMs,
          ...request,
        },
        this.objects,
      ),
    );
  }

  discover(homeUrl: string): Promise<string[]> {
    return this.pool.use(async (page) => {
      try {
        const links = await pageLinks(page, homeUrl, this.options.navigationTimeoutMs ?? 15_000);
        return rankConsultLinks(links, page.url() || homeUrl);
      } catch {
        return [];
      }
    });
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
