export { createOfflineModel, OFFLINE_MODEL_NAME } from './model.js';
