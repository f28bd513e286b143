import type {FuseContext} from '../context.js'
import type {Request} from '../request.js'
import {listEntries} from './readdir.js'

export function readdirplus(ctx: FuseContext, request: Request): void {
  listEntries(ctx, request, true)
}
