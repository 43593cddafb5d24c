import type { ResourceDefinition, ResourceTemplateDefinition } from '../../toolkit.definition.js';
import { RED_PIXEL_PNG_BASE64 } from './conformance.fixtures.js';

export const conformanceResources: readonly ResourceDefinition[] = [
  {
    name: 'static-text',
    uri: 'test://static-text',
    title: 'Static Text Resource',
    description: 'A static text resource for testing',
    mimeType: 'text/plain',
    read: () => [
      { uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
    ],
  },
  {
    name: 'static-binary',
    uri: 'test://static-binary',
    title: 'Static Binary Resource',
    description: 'A static binary resource (a PNG image) for testing',
    mimeType: 'image/png',
    read: () => [{ uri: 'test://static-binary', mimeType: 'image/png', blob: RED_PIXEL_PNG_BASE64 }],
  },
  {
    // The suite subscribes to this one. It never changes, so a subscriber rightly never hears of an update.
    name: 'watched-resource',
    uri: 'test://watched-resource',
    title: 'Watched Resource',
    description: 'A resource clients may subscribe to',
    mimeType: 'text/plain',
    read: () => [{ uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' }],
  },
];

export const conformanceResourceTemplates: readonly ResourceTemplateDefinition[] = [
  {
    name: 'template',
    uriTemplate: 'test://template/{id}/data',
    title: 'Resource Template',
    description: 'A resource template with parameter substitution',
    mimeType: 'application/json',
    read: (uri, { id = '' }) => [
      {
        uri,
        mimeType: 'application/json',
        text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
      },
    ],
  },
];
