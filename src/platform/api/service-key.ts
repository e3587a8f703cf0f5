// Names a service one module provides and others use, with its type: `runtime.use(key)` is
// typed by the key, never looked up by a string.
export interface ServiceKey<T> {
  readonly name: string;
  /** Never set: carries the service's type. */
  readonly type?: T;
}

export const serviceKey = <T>(name: string): ServiceKey<T> => ({ name });
