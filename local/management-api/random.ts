// Seeded randomness: every scenario value and every injected fault comes from here, so a seed replays a run exactly.

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Mixes numbers and strings into one 32-bit value (FNV-1a, then a murmur3 finaliser for avalanche). */
export function hash32(...parts: Array<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === "number") {
      // numbers are mixed 32 bits at a time so that large millisecond timestamps keep their high bits
      let n = part;
      for (let i = 0; i < 2; i++) {
        const word = n >>> 0;
        h = Math.imul(h ^ (word & 0xffff), 0x01000193);
        h = Math.imul(h ^ (word >>> 16), 0x01000193);
        n = Math.floor(n / 0x100000000);
      }
    } else {
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    }
    h = Math.imul(h ^ 0xff, 0x01000193); // part separator: ("ab","c") and ("a","bc") differ
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A value in [0, 1) from the same inputs as {@link hash32}: for per-blob decisions that must not depend on call order. */
export function unitHash(...parts: Array<number | string>): number {
  return hash32(...parts) / 0x100000000;
}

/** mulberry32: tiny, fast and good enough for synthetic data; not for anything secret. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit value. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 0x100000000;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** Picks by weight; `weights[i]` belongs to `items[i]`. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** `n` lowercase hex characters (n even). */
  hex(n: number): string {
    let s = "";
    while (s.length < n) {
      const v = this.next();
      s += HEX[v & 0xff] + HEX[(v >>> 8) & 0xff] + HEX[(v >>> 16) & 0xff] + HEX[v >>> 24];
    }
    return s.slice(0, n);
  }

  /** A version-4-shaped GUID (lowercase), derived from the stream. */
  uuid(): string {
    const a = this.next();
    const b = this.next();
    const c = this.next();
    const d = this.next();
    return (
      HEX[a >>> 24] + HEX[(a >>> 16) & 0xff] + HEX[(a >>> 8) & 0xff] + HEX[a & 0xff] + "-" +
      HEX[b >>> 24] + HEX[(b >>> 16) & 0xff] + "-4" + HEX[(b >>> 8) & 0xff].charAt(1) + HEX[b & 0xff] + "-" +
      HEX[0x80 | ((c >>> 24) & 0x3f)] + HEX[(c >>> 16) & 0xff] + "-" +
      HEX[(c >>> 8) & 0xff] + HEX[c & 0xff] + HEX[d >>> 24] + HEX[(d >>> 16) & 0xff] + HEX[(d >>> 8) & 0xff] + HEX[d & 0xff]
    );
  }

  /** A new independent stream derived from this one and a label. */
  fork(label: string | number): Random {
    return new Random(hash32(this.next(), label));
  }
}
