package io.memsession.spring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.memsession.MemcachedSessionFilter;

import jakarta.servlet.DispatcherType;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Registers memsession's filter in a Spring Boot servlet application that sets {@code memsession.servers}:
 * every {@code memsession.*} property is the filter init-param of the same name in kebab case
 * ({@code memsession.allowed-classes} is {@code allowedClasses}), so the configuration reference in
 * docs/configuration.md applies unchanged. The filter runs ahead of every other filter, Spring
 * Security's chain included, so that the security context is kept in memcached too. A wrong value
 * stops the application at start-up with the filter's own message; an unknown {@code memsession.*}
 * property does too, naming the known ones.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(MemcachedSessionFilter.class)
@ConditionalOnProperty(prefix = "memsession", name = "servers")
public class MemsessionAutoConfiguration {

    /** Ahead of Spring's own request-wrapping filters and of Spring Security, as Spring Session's filter is. */
    public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

    @Bean
    public FilterRegistrationBean<MemcachedSessionFilter> memsessionFilter(Environment environment) {
        FilterRegistrationBean<MemcachedSessionFilter> registration =
                new FilterRegistrationBean<>(new MemcachedSessionFilter());
        registration.setName("memsession");
        registration.setInitParameters(initParameters(environment));
        registration.addUrlPatterns("/*");
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        registration.setAsyncSupported(true);
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    /** The filter's init-params from the {@code memsession.*} properties. */
    static Map<String, String> initParameters(Environment environment) {
        Map<String, String> properties = Binder.get(environment)
                .bind("memsession", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        Map<String, String> byKebabName = new LinkedHashMap<>();
        for (String name : MemcachedSessionFilter.initParameterNames()) {
            byKebabName.put(kebabCase(name), name);
        }
        Map<String, String> initParameters = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            String param = byKebabName.get(key);
            if (param == null) {
                throw new IllegalArgumentException("memsession property 'memsession." + key + "' is unknown; allowed: "
                        + new TreeSet<>(byKebabName.keySet()).stream().map(k -> "memsession." + k).toList());
            }
            initParameters.put(param, value);
        });
        return initParameters;
    }

    /** {@code allowedClasses} → {@code allowed-classes}. */
    static String kebabCase(String camelCase) {
        StringBuilder kebab = new StringBuilder(camelCase.length() + 4);
        for (char c : camelCase.toCharArray()) {
            if (Character.isUpperCase(c)) {
                kebab.append('-').append(Character.toLowerCase(c));
            } else {
                kebab.append(c);
            }
        }
        return kebab.toString();
    }

    /** The property names, for the configuration metadata test. */
    static Set<String> propertyNames() {
        List<String> names = MemcachedSessionFilter.initParameterNames();
        Set<String> properties = new TreeSet<>();
        names.forEach(name -> properties.add("memsession." + kebabCase(name)));
        return properties;
    }
}
