// A list call's answer: awaiting it gives the first page as sent (`{ data, page }`); iterating
// it with `for await` gives every item of every page, following `page.next_cursor`.

/** The `page` member of a list answer. */
export interface PageInfo {
  has_more: boolean;
  next_cursor: string | null;
  total?: number;
}

/** A list answer: one page of items. */
export interface Page<T> {
  data: T[];
  page: PageInfo;
}

/**
 * The first page when awaited, every item when iterated.
 * @example
 * const first = await fieldline.customers.list({ limit: 10 });   // { data, page }
 * for await (const customer of fieldline.customers.list()) console.log(customer.id);
 */
export class PagePromise<T, P = Page<T>> implements PromiseLike<P>, AsyncIterable<T> {
  #first: Promise<P> | undefined;
  readonly #fetchPage: (cursor: string | undefined) => Promise<P>;

  constructor(fetchPage: (cursor: string | undefined) => Promise<P>) {
    this.#fetchPage = fetchPage;
  }

  get [Symbol.toStringTag]() {
    return 'PagePromise';
  }

  /** The first page, fetched once however often it is awaited. */
  #firstPage(): Promise<P> {
    return (this.#first ??= this.#fetchPage(undefined));
  }

  then<A = P, B = never>(
    onfulfilled?: ((page: P) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<P | B> {
    return this.#firstPage().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<P> {
    return this.#firstPage().finally(onfinally);
  }

  /** Every page in turn, starting with the first. */
  async *pages(): AsyncGenerator<P, void, undefined> {
    let page = await this.#firstPage();
    for (;;) {
      yield page;
      const info = (page as Partial<Page<T>>).page;
      if (!info?.has_more || !info.next_cursor) return;
      page = await this.#fetchPage(info.next_cursor);
    }
  }

  /** Every item of every page. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* (page as Partial<Page<T>>).data ?? [];
  }

  /** Every item of every page, collected (mind the size of the list). */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
