// Writes FILE.br beside each FILE, at brotli's best quality, for precompressed serving.
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";

for (const file of process.argv.slice(2)) {
  const out = brotliCompressSync(readFileSync(file), {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: readFileSync(file).length,
    },
  });
  writeFileSync(`${file}.br`, out);
}
