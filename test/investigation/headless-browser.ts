// Renders a page the way a person opens it: Debian's chromium, headless, to a PNG and to the DOM it built. Tests skip
// with the reason when no browser is installed (apt-get install -y chromium).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { inflateSync } from "node:zlib";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function findBrowser(): string | null {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-dev-shm-usage", "--allow-file-access-from-files"];

/** Opens the page once: writes its screenshot to `pngFile` and returns the DOM it built (one browser start, not two). */
export function renderPage(browser: string, htmlFile: string, pngFile: string, width = 1200, height = 1600): string {
  rmSync(pngFile, { force: true }); // an earlier run's picture must not stand in for this one's
  return execFileSync(browser, [...FLAGS, `--window-size=${width},${height}`, `--screenshot=${pngFile}`, "--dump-dom", `file://${htmlFile}`], {
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  }).toString("utf8");
}

export interface Image {
  width: number;
  height: number;
  /** RGBA, row-major. */
  pixels: Uint8Array;
}

/** A minimal PNG reader (8-bit RGB/RGBA, non-interlaced: what Chromium writes). */
export function readPng(file: string): Image {
  const buf = readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error(`${file} is not a PNG`);
  let pos = 8;
  let width = 0, height = 0, colorType = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("ascii", pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error("only 8-bit non-interlaced PNGs are read here");
      colorType = data[9];
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (!channels) throw new Error(`PNG colour type ${colorType} is not read here`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      cur[i] = (line[i] + pred) & 255;
    }
    for (let x = 0; x < width; x++) {
      out.set([cur[x * channels], cur[x * channels + 1], cur[x * channels + 2], channels === 4 ? cur[x * channels + 3] : 255], (y * width + x) * 4);
    }
    prev = cur;
  }
  return { width, height, pixels: out };
}

/** Pixels within `tolerance` of an RGB colour. */
export function countColor(img: Image, rgb: [number, number, number], tolerance = 24): number {
  let n = 0;
  for (let i = 0; i < img.pixels.length; i += 4) {
    if (Math.abs(img.pixels[i] - rgb[0]) <= tolerance && Math.abs(img.pixels[i + 1] - rgb[1]) <= tolerance && Math.abs(img.pixels[i + 2] - rgb[2]) <= tolerance) n++;
  }
  return n;
}
