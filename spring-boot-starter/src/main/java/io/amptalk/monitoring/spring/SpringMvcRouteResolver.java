package io.amptalk.monitoring.spring;

import io.amptalk.monitoring.instrument.RouteResolver;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Spring MVC's route of a request: the pattern of the handler mapping that matched it ({@link
 * HandlerMapping#BEST_MATCHING_PATTERN_ATTRIBUTE}, such as {@code /users/{id}}), after the context
 * path. A request nothing matched (Spring MVC's own 404: no handler, or no static resource under
 * the catch-all {@code /**}) has no route of its own: null, so the filter records it under its
 * fallback, the {@code DispatcherServlet}'s mapping {@code /}, and counts it as an unresolved
 * route; a flood of unknown paths stays one series.
 */
final class SpringMvcRouteResolver implements RouteResolver<HttpServletRequest> {
  @Override
  public String route(HttpServletRequest request) {
    Object failure = request.getAttribute(DispatcherServlet.EXCEPTION_ATTRIBUTE);
    if (failure instanceof NoHandlerFoundException || failure instanceof NoResourceFoundException) {
      return null;
    }
    if (!(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE)
        instanceof String pattern)) {
      return null;
    }
    String contextPath = request.getContextPath();
    return contextPath == null || contextPath.isEmpty() ? pattern : contextPath + pattern;
  }
}
