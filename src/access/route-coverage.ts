import { Injectable, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACTION_KEY, PUBLIC_KEY } from './access.decorators';
import { ACTIONS, type Action } from './policy';

export interface RouteInfo {
  method: string;
  /** Path as declared, without the global prefix, e.g. "localities/:id". */
  path: string;
  action?: Action;
  public: boolean;
  /** The status a success answers with. */
  successStatus: number;
  /** The class of the handler's whole @Body() parameter (its DTO); undefined when it reads no body. */
  bodyType?: Function;
}

/** The DTO class a handler's @Body() parameter is declared with (tests build bodies from it). */
function bodyTypeOf(metatype: Function, prototype: object, name: string): Function | undefined {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const body = Object.entries(args).find(([key, arg]) => key.split(':')[0] === String(RouteParamtypes.BODY) && arg.data === undefined);
  if (!body) return undefined;
  const types = (Reflect.getMetadata('design:paramtypes', prototype, name) ?? []) as Function[];
  return types[body[1].index];
}

function joinPath(...parts: (string | undefined)[]): string {
  return parts
    .flatMap((p) => (p ?? '').split('/'))
    .filter(Boolean)
    .join('/');
}

/** Every route of the app with its declared action, read from the controllers' metadata. */
export function listRoutes(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const base = reflector.get<string | string[]>(PATH_METADATA, metatype);
    const prototype = Object.getPrototypeOf(instance);
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      const path = reflector.get<string | string[]>(PATH_METADATA, handler);
      const method = reflector.get<RequestMethod>(METHOD_METADATA, handler);
      if (path === undefined || method === undefined) continue;
      const action = reflector.getAllAndOverride<Action>(ACTION_KEY, [handler, metatype]);
      const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, metatype]) ?? false;
      const successStatus = reflector.get<number>(HTTP_CODE_METADATA, handler) ?? (method === RequestMethod.POST ? 201 : 200);
      for (const b of [base].flat()) {
        for (const p of [path].flat()) {
          routes.push({
            method: RequestMethod[method],
            path: joinPath(b, p),
            action,
            public: isPublic,
            successStatus,
            bodyType: bodyTypeOf(metatype, prototype, name),
          });
        }
      }
    }
  }
  return routes;
}

/** Refuses to start when a route declares no action (or one missing from the policy table). */
@Injectable()
export class RouteCoverageCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const bad = listRoutes(this.discovery, this.scanner, this.reflector).filter(
      (route) => !route.public && (!route.action || !ACTIONS.includes(route.action)),
    );
    if (bad.length > 0) {
      throw new Error(`routes without an action in the policy table: ${bad.map((r) => `${r.method} /${r.path}`).join(', ')}`);
    }
  }
}
