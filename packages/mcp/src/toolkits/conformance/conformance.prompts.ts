import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import * as z from 'zod';
import { definePrompt, type PromptDefinition } from '../../toolkit.definition.js';
import { RED_PIXEL_PNG_BASE64 } from './conformance.fixtures.js';

/** Suggestions for `arg1`, so `completion/complete` has something to rank by prefix. */
const ARG1_SUGGESTIONS = ['paris', 'park', 'party', 'test', 'testing', 'tested'];

export const conformancePrompts: readonly PromptDefinition[] = [
  definePrompt({
    name: 'test_simple_prompt',
    title: 'Simple Test Prompt',
    description: 'A simple prompt without arguments',
    get: () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
    }),
  }),
  definePrompt({
    name: 'test_prompt_with_arguments',
    title: 'Prompt With Arguments',
    description: 'A prompt with two required arguments',
    args: {
      arg1: completable(z.string().describe('First test argument'), (value) =>
        ARG1_SUGGESTIONS.filter((suggestion) => suggestion.startsWith(value)),
      ),
      arg2: z.string().describe('Second test argument'),
    },
    get: ({ arg1, arg2 }) => ({
      messages: [
        { role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } },
      ],
    }),
  }),
  definePrompt({
    name: 'test_prompt_with_embedded_resource',
    title: 'Prompt With Embedded Resource',
    description: 'A prompt that embeds the resource it is given',
    args: { resourceUri: z.string().describe('URI of the resource to embed') },
    get: ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  }),
  definePrompt({
    name: 'test_prompt_with_image',
    title: 'Prompt With Image',
    description: 'A prompt that includes image content',
    get: () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  }),
];
