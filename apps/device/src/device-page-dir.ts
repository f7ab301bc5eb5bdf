/**
 * The browser device page as `pnpm build` bundles it (`scripts/build-pages.ts`): `index.html`, `app.js`,
 * `app.css` and onnxruntime-web's runtime under `ort/`, in this package's `dist/web/`. A cloud serves it
 * at `/device/` when whoever starts the cloud (the CLI) hands it this folder: the cloud never reads the
 * device app's files on its own.
 */
import { fileURLToPath } from 'node:url';

/** Absolute path of the built device page (from the compiled `dist/` and from the sources alike). */
export const DEVICE_PAGE_DIR = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../dist/web/' : './web/', import.meta.url),
);
