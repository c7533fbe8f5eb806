import { readFileSync } from 'node:fs';
import { connectMongo } from '../../lib/mongo/connectMongo.ts';
import { catalogDatabase } from '../../subgraphs/catalog/config.ts';
import { importProducts } from '../../subgraphs/catalog/importProducts.ts';
import { parseProductLines, ProductFileError } from '../../subgraphs/catalog/parseProductLines.ts';
import { createProductStore } from '../../subgraphs/catalog/productStore.ts';
import { CliError, UsageError } from '../cliError.ts';

/**
 * `gatehouse catalog import FILE`: products from a JSON-lines file into the
 * catalog's database (MONGODB_URI, MONGODB_DB_PREFIX), upserted by id. Every
 * line is checked first; one bad line refuses the whole file.
 */
export async function runCatalogCommand(
  action: string | undefined,
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<void> {
  if (action !== 'import') throw new UsageError(action ? `unknown catalog command "${action}"` : 'say what to do: gatehouse catalog import FILE');
  if (!file) throw new UsageError('gatehouse catalog import needs FILE, a JSON-lines file of products');
  const mongoUri = env.MONGODB_URI;
  if (!mongoUri) throw new CliError("MONGODB_URI is not set; point it at the catalog's MongoDB (and set MONGODB_DB_PREFIX if the catalog has one)");
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let lines;
  try {
    lines = parseProductLines(text);
  } catch (error) {
    if (error instanceof ProductFileError) throw new CliError(`${file} ${error.message}; nothing was imported`);
    throw error;
  }
  const database = catalogDatabase(env);
  const mongo = await connectMongo(mongoUri, database);
  try {
    const store = createProductStore(mongo.db);
    await store.ensureIndexes();
    const summary = await importProducts(store, lines);
    print(
      `imported ${lines.length} products into ${database}: ${summary.inserted} new, ${summary.updated} updated, ${summary.unchanged} unchanged (the catalog serves changes within CATALOG_PRODUCT_CACHE_MS)`,
    );
  } catch (error) {
    if (error instanceof ProductFileError) throw new CliError(`${file} ${error.message}; nothing was imported`);
    throw error;
  } finally {
    await mongo.close();
  }
}
