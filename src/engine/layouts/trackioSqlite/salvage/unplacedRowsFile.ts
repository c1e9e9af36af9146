export { unplacedRowsFile } from '../../../fs/ownNames.js';
