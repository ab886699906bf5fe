/**
 * A Map that forgets its oldest entry (by first insertion) beyond `max`: what a client's ids can
 * make a connection or a call remember stays bounded, whatever the client sends.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value!);
    return this;
  }
}

/** A Set that forgets its oldest member beyond `max` (see BoundedMap). */
export class BoundedSet<T> extends Set<T> {
  constructor(private readonly max: number) {
    super();
  }

  override add(value: T): this {
    super.add(value);
    if (this.size > this.max) this.delete(this.values().next().value!);
    return this;
  }
}
