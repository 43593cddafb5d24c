import preset from '../../jest.preset.js';

// No database or Redis: every test starts its own provider on a free port.
export default preset;
