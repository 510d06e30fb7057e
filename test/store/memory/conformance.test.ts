import { createMemoryRepositories } from '../../../src/store/memory/index.js';
import { runRepositoryConformance } from '../conformance/index.js';

runRepositoryConformance('memory', async () => {
  const repos = createMemoryRepositories();
  return { repos, close: () => repos.close() };
});
